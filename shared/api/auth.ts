/**
 * API-key auth for the routes (REST, MCP, the console): Bearer or X-API-Key, checked through a short
 * cache of verified keys (see VerifiedKeys), one cache for all of them.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { KeyGrant, KeyScope } from "../domain/scopes.js";
import type { AppEnv } from "./hono-env.js";
import { problems } from "./problems.js";
import { VerifiedKeys } from "./verified-keys.js";

export interface KeyVerifier {
  /** What a valid key grants; undefined for anything else. */
  verify(key: string): Promise<KeyGrant | undefined>;
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
  const identify = (c: Context<AppEnv>, key: string, grant: KeyGrant) => {
    c.set("tenantId", grant.tenantId);
    c.set("scopes", grant.scopes);
    c.set("keyId", key.slice(0, 15));
  };
  return {
    required: async (c, next) => {
      const key = keyOf(c);
      if (!key) throw problems.unauthorized();
      const grant = await verified.grantOf(key).catch((error: unknown) => {
        throw problems.unavailable("postgres", error, "could not check the API key");
      });
      if (!grant) throw problems.unauthorized();
      identify(c, key, grant);
      await next();
    },
    optional: async (c, next) => {
      const key = keyOf(c);
      const grant = key ? await verified.grantOf(key).catch(() => undefined) : undefined;
      if (key && grant) identify(c, key, grant);
      await next();
    },
  };
}

/** Refuses, with 403, a key without `scope` (auth has run: the key is valid). */
export function requireScope(c: Context<AppEnv>, scope: KeyScope): void {
  if (!c.get("scopes")?.includes(scope)) throw problems.missingScope(scope);
}

/** A route's middleware: its key must have `scope` (checked before the body is parsed). */
export const needsScope =
  (scope: KeyScope): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    requireScope(c, scope);
    await next();
  };
