/** Middleware factories of the API: API-key auth (cached briefly), per-key rate limit, request log. */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import type { MiddlewareHandler } from "hono";
import { VerifiedKeyCache } from "../auth/key-cache.js";
import type { TrafficRecorder } from "../console/traffic.js";
import { problems } from "../errors/app-error.js";
import type { AppEnv } from "./env.js";

export interface KeyVerifier {
  verify(key: string): Promise<string | undefined>;
}

/** Bearer (or X-API-Key) auth, through a cache of verified keys (see VerifiedKeyCache). */
export function apiKeyAuth(keys: KeyVerifier, cacheMs = 60_000): MiddlewareHandler<AppEnv> {
  const cache = new VerifiedKeyCache((key) => keys.verify(key), cacheMs);
  return async (c, next) => {
    const header = c.req.header("authorization");
    const key = header?.startsWith("Bearer ") ? header.slice(7).trim() : c.req.header("x-api-key");
    if (!key) throw problems.unauthorized();
    const tenantId = await cache.tenantOf(key).catch((error: unknown) => {
      throw problems.unavailable("postgres", error, "could not check the API key");
    });
    if (!tenantId) throw problems.unauthorized();
    c.set("tenantId", tenantId);
    c.set("keyId", key.slice(0, 15));
    await next();
  };
}

/** Sliding-window limit per API key in Redis. Fails open: a Redis outage must not stop the API. */
export function rateLimit(
  redis: Redis | undefined,
  perMinute: number,
  prefix: string,
  logger: Logger,
): MiddlewareHandler<AppEnv> {
  if (!redis || perMinute === 0) return (_c, next) => next();
  const limiter = new Ratelimit({
    redis,
    limiter: Ratelimit.slidingWindow(perMinute, "60 s"),
    prefix: `${prefix}ratelimit`,
    timeout: 200,
    analytics: false,
  });
  return async (c, next) => {
    const outcome = await limiter.limit(c.get("keyId")).catch((error: Error) => {
      logger.warn("rate limiter unavailable; request allowed", { error: error.message });
      return undefined;
    });
    if (outcome && !outcome.success)
      throw problems.rateLimited(Math.max(1, Math.ceil((outcome.reset - Date.now()) / 1000)));
    await next();
  };
}

/**
 * CloudWatch metrics in EMF (Powertools): latency and count per route and status class, and each
 * tier's time in a context assembly (routes put it on `tierTimings`). Published per request.
 */
export function requestMetrics(
  metrics: Metrics | undefined,
  traffic?: TrafficRecorder,
): MiddlewareHandler<AppEnv> {
  if (!metrics && !traffic) return (_c, next) => next();
  return async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath;
    const durationMs = performance.now() - started;
    // The console's own polling is not traffic.
    if (traffic && !c.req.path.startsWith("/console"))
      traffic.record({
        status: c.res.status,
        durationMs,
        context: c.req.method === "POST" && route === "/v1/users/:userId/context",
      });
    if (!metrics) return;
    const single = metrics.singleMetric();
    single.addDimensions({ route, status: `${Math.floor(c.res.status / 100)}xx` });
    single.addMetric("latency", MetricUnit.Milliseconds, durationMs);
    for (const [tier, ms] of Object.entries(c.get("tierTimings") ?? {})) {
      const perTier = metrics.singleMetric();
      perTier.addDimension("tier", tier);
      perTier.addMetric("tierLatency", MetricUnit.Milliseconds, ms);
    }
  };
}

/** One structured line per request: never bodies, message text or keys. */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.info("request", {
      requestId: c.get("requestId"),
      tenantId: c.get("tenantId"),
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  };
}
