/** One structured line per request: never bodies, message text or keys. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../api/hono-env.js";
import type { Logger } from "../../util/logger.js";
import { round2 } from "../../util/stats.js";

export function requestLog({ logger }: { logger: Logger }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.info("request", {
      requestId: c.get("requestId"),
      tenantId: c.get("tenantId"),
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      durationMs: round2(performance.now() - started),
    });
  };
}
