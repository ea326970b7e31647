/** What the edge's middleware puts on the request context for the routes. */
export interface AppEnv {
  Variables: {
    requestId: string;
    tenantId: string;
    keyId: string;
    /** Per-tier milliseconds of a context assembly, for metrics. */
    tierTimings?: Record<string, number>;
  };
}
