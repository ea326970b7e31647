/**
 * API-key auth for the routes (REST, MCP, the console): Bearer or X-API-Key, checked through a short
 * cache of verified keys (see VerifiedKeys), one cache for all of them.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./hono-env.js";
import { problems } from "./problems.js";
import { VerifiedKeys } from "./verified-keys.js";

export interface KeyVerifier {
  /** The tenant of a valid key; undefined for anything else. */
  verify(key: string): Promise<string | undefined>;
}

export interface KeyAuthOptions {
  /** How long a verified key is trusted before it is checked again. Default 60 s. */
  cacheMs?: number;
}

export interface KeyAuth {
  /** A valid key is required: 401 without one, 503 when it cannot be checked. */
  required: MiddlewareHandler<AppEnv>;
  /** A valid key, if one is given, identifies the caller; anything else goes on as anonymous. */
  optional: MiddlewareHandler<AppEnv>;
}

const keyOf = (c: Context<AppEnv>) => {
  const header = c.req.header("authorization");
  return header?.startsWith("Bearer ") ? header.slice(7).trim() : c.req.header("x-api-key");
};

export function keyAuth(keys: KeyVerifier, options: KeyAuthOptions = {}): KeyAuth {
  const verified = new VerifiedKeys((key) => keys.verify(key), options.cacheMs);
  const identify = (c: Context<AppEnv>, key: string, tenantId: string) => {
    c.set("tenantId", tenantId);
    c.set("keyId", key.slice(0, 15));
  };
  return {
    required: async (c, next) => {
      const key = keyOf(c);
      if (!key) throw problems.unauthorized();
      const tenantId = await verified.tenantOf(key).catch((error: unknown) => {
        throw problems.unavailable("postgres", error, "could not check the API key");
      });
      if (!tenantId) throw problems.unauthorized();
      identify(c, key, tenantId);
      await next();
    },
    optional: async (c, next) => {
      const key = keyOf(c);
      const tenantId = key ? await verified.tenantOf(key).catch(() => undefined) : undefined;
      if (key && tenantId) identify(c, key, tenantId);
      await next();
    },
  };
}
