/**
 * Per-tenant request limit (sliding window): every key of a tenant draws on one allowance, so more
 * keys do not mean more load. Runs right after auth, before any store is touched. Fails open: a
 * limiter outage must not stop the API.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../api/hono-env.js";
import { problems } from "../../api/problems.js";
import { describeError } from "../../errors/memory-error.js";
import type { Logger } from "../../util/logger.js";

export interface RateLimitOptions {
  /** Counts one request of a key; none: no limit. */
  limiter?: { limit(key: string): Promise<{ success: boolean; reset: number }> };
  logger: Logger;
}

export function rateLimit({ limiter, logger }: RateLimitOptions): MiddlewareHandler<AppEnv> {
  if (!limiter) return (_c, next) => next();
  return async (c, next) => {
    const outcome = await limiter.limit(c.get("tenantId")).catch((error: unknown) => {
      logger.warn("rate limiter unavailable; request allowed", { cause: describeError(error) });
      return undefined;
    });
    if (outcome && !outcome.success)
      throw problems.rateLimited(Math.max(1, Math.ceil((outcome.reset - Date.now()) / 1000)));
    await next();
  };
}
