/**
 * Per-request measurements: CloudWatch metrics in EMF (Powertools) for latency and count per route
 * and status class, and each tier's time in a context assembly (routes put it on `tierTimings`);
 * and `onRequest`, called with each request's outcome (the console's traffic).
 */
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../api/hono-env.js";

export interface RequestOutcome {
  method: string;
  /** The route's pattern ("/v1/users/:userId/context"), not the path. */
  route: string;
  path: string;
  status: number;
  durationMs: number;
  /** Whether a valid API key came with it. */
  authenticated: boolean;
}

export interface RequestMetricsOptions {
  metrics?: Metrics;
  onRequest?: (outcome: RequestOutcome) => void;
}

export function requestMetrics({ metrics, onRequest }: RequestMetricsOptions): MiddlewareHandler<AppEnv> {
  if (!metrics && !onRequest) return (_c, next) => next();
  return async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath;
    const durationMs = performance.now() - started;
    const authenticated = c.get("tenantId") !== undefined;
    onRequest?.({
      method: c.req.method,
      route,
      path: c.req.path,
      status: c.res.status,
      durationMs,
      authenticated,
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
