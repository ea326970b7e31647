/**
 * createApp(memory) builds the Hono app: the REST API (shared/http), the MCP server (shared/mcp)
 * and the operator console (shared/console) over one memory. It knows nothing about the runtime:
 * functions/api.ts adapts it to Lambda, infra/local/start.ts serves it on Node. The three edges
 * meet only here; each depends on the shared edge vocabulary (shared/api), never on another.
 */
import { Metrics } from "@aws-lambda-powertools/metrics";
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { keyAuth } from "../api/auth.js";
import type { AppEnv } from "../api/hono-env.js";
import { describeIssues } from "../api/parse.js";
import { problems, toAppError, toProblem } from "../api/problems.js";
import { consolePrefix, consoleRoutes } from "../console/routes.js";
import { adminTenant } from "../domain/identity.js";
import { describeError } from "../errors/memory-error.js";
import { rateLimit } from "../http/middleware/rate-limit.js";
import { requestLog } from "../http/middleware/request-log.js";
import { type RequestOutcome, requestMetrics } from "../http/middleware/request-metrics.js";
import { importRoutes, importsPath } from "../http/routes/imports.js";
import { memoriesRoutes } from "../http/routes/memories.js";
import { contextRoute, memoryRoutes } from "../http/routes/memory.js";
import { systemRoutes } from "../http/routes/system.js";
import { webhookRoutes } from "../http/routes/webhooks.js";
import { mcpRoutes } from "../mcp/routes.js";
import type { Memory } from "../runtime/create-memory.js";
import type { Logger } from "../util/logger.js";

export interface AppOptions {
  /** Default: the memory's logger. */
  logger?: Logger;
  /** Default: Powertools Metrics when HIERARCHICAL_MEMORY_METRICS_ENABLED, else none. */
  metrics?: Metrics;
}

export function createApp(memory: Memory, options: AppOptions = {}) {
  const { config, manager, traffic } = memory;
  const logger = options.logger ?? memory.logger;
  const metrics =
    options.metrics ??
    (config.http.metricsEnabled
      ? new Metrics({ namespace: "HierarchicalMemory", serviceName: "hierarchical-memory" })
      : undefined);
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw problems.badRequest(describeIssues(result.error.issues));
    },
  });
  // Served requests of a tenant: not the console's own polling, and nothing a stranger can send (a
  // refused key, an unknown user or route), so recording costs no store work on anyone's say-so.
  // Context assemblies keep their latency.
  const recordTraffic = traffic
    ? ({ method, route, path, status, durationMs, authenticated }: RequestOutcome) => {
        if (!authenticated || status === 404 || path.startsWith(consolePrefix)) return;
        const context = method === "POST" && route === contextRoute;
        traffic
          .record([{ status, durationMs, context, at: Date.now() }])
          .catch((error: unknown) => logger.debug("traffic not recorded", { cause: describeError(error) }));
      }
    : undefined;
  app.use(requestId(), requestLog({ logger }), requestMetrics({ metrics, onRequest: recordTraffic }));
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw problems.tooLarge(maxSize);
      },
    });
  // An import's lines may be larger than any other request; nothing else on its path is.
  const generalLimit = limitBody(config.http.maxBodyBytes);
  app.use((c, next) => (c.req.path === importsPath ? next() : generalLimit(c, next)));
  app.use(importsPath, limitBody(config.imports.maxBodyBytes));
  const auth = keyAuth(memory.keys);
  // The REST memory and webhook routes and MCP share the keys, the rate limit and the tenant scoping.
  for (const path of [
    "/v1/users/*",
    "/v1/webhooks",
    "/v1/webhooks/*",
    importsPath,
    `${importsPath}/*`,
    "/mcp",
  ])
    app.use(path, auth.required, rateLimit({ limiter: memory.rateLimiter, logger }), async (c, next) => {
      if (c.get("tenantId") === adminTenant)
        throw problems.forbidden("an operator key opens /console only; use a tenant's key");
      await next();
    });
  const audit = memory.audit;
  systemRoutes(app, manager, auth.optional);
  memoryRoutes(app, manager, audit);
  memoriesRoutes(app, manager, audit);
  webhookRoutes(app, memory.webhooks);
  importRoutes(app, memory.imports);
  mcpRoutes(app, { memory: manager, audit, logger });
  consoleRoutes(app, {
    memory: manager,
    auth: auth.required,
    traffic,
    migrations: memory.migration,
    webhooks: memory.webhooks,
    imports: memory.imports,
    audit,
    logger,
  });

  app.notFound((c) => {
    const allow = app.routes
      .filter((r) => r.method !== "ALL" && routePattern(r.path).test(c.req.path))
      .map((r) => r.method);
    if (allow.length > 0) throw problems.methodNotAllowed(c.req.method, c.req.path, [...new Set(allow)]);
    throw problems.notFound(`no route for ${c.req.method} ${c.req.path}`);
  });

  app.onError((error, c) => {
    const mapped = toAppError(error);
    const problem = toProblem(mapped, c.get("requestId"), c.req.path);
    if (problem.status === 500)
      logger.error("request failed", { requestId: problem.requestId, error: describeError(error) });
    else if (problem.status > 500)
      logger.warn("request refused", {
        requestId: problem.requestId,
        method: c.req.method,
        route: c.req.routePath,
        detail: problem.detail,
        // What failed underneath (a pool timeout, a dropped connection): the operator's first question.
        cause: mapped.cause instanceof Error ? describeError(mapped.cause.cause ?? mapped.cause) : undefined,
      });
    return c.json(problem, problem.status as ContentfulStatusCode, {
      "content-type": "application/problem+json",
      ...mapped.headers,
    });
  });
  return app;
}

const routePattern = (path: string) => new RegExp(`^${path.replace(/:[^/]+/g, "[^/]+")}$`);
