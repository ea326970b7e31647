/**
 * API-key auth for every route that needs a key (REST, MCP, the console): Bearer or X-API-Key,
 * checked through a short cache of verified keys (see VerifiedKeys).
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./hono-env.js";
import { problems } from "./problems.js";
import { VerifiedKeys } from "./verified-keys.js";

export interface KeyVerifier {
  /** The tenant of a valid key; undefined for anything else. */
  verify(key: string): Promise<string | undefined>;
}

export interface ApiKeyAuthOptions {
  /** How long a verified key is trusted before it is checked again. Default 60 s. */
  cacheMs?: number;
}

export function apiKeyAuth(keys: KeyVerifier, options: ApiKeyAuthOptions = {}): MiddlewareHandler<AppEnv> {
  const verified = new VerifiedKeys((key) => keys.verify(key), options.cacheMs);
  return async (c, next) => {
    const header = c.req.header("authorization");
    const key = header?.startsWith("Bearer ") ? header.slice(7).trim() : c.req.header("x-api-key");
    if (!key) throw problems.unauthorized();
    const tenantId = await verified.tenantOf(key).catch((error: unknown) => {
      throw problems.unavailable("postgres", error, "could not check the API key");
    });
    if (!tenantId) throw problems.unauthorized();
    c.set("tenantId", tenantId);
    c.set("keyId", key.slice(0, 15));
    await next();
  };
}
