import type { KeyScope } from "../domain/scopes.js";

/** What the edge's middleware puts on the request context for the routes. */
export interface AppEnv {
  Variables: {
    requestId: string;
    tenantId: string;
    keyId: string;
    /** What the request's key may do (see domain/scopes). */
    scopes: readonly KeyScope[];
    /** Per-tier milliseconds of a context assembly, for metrics. */
    tierTimings?: Record<string, number>;
  };
}
