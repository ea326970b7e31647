/**
 * createApp(deps) builds the Hono app from config and the memory manager. It knows nothing about
 * the runtime: functions/api.ts adapts it to Lambda, infra/local/start.ts serves it on Node.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Redis } from "@upstash/redis";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiKeyStore, adminTenant } from "../auth/api-keys.js";
import type { Config } from "../config/index.js";
import { consoleRoutes } from "../console/routes.js";
import { TrafficRecorder } from "../console/traffic.js";
import { AppError, problems, TierUnavailableError, toProblem } from "../errors/app-error.js";
import type { HierarchicalMemoryManager } from "../memory/manager.js";
import type { AppEnv } from "./env.js";
import { describeIssues, toAppError } from "./error-mapping.js";
import { apiKeyAuth, type KeyVerifier, rateLimit, requestLog, requestMetrics } from "./middleware.js";
import { mcpRoutes } from "./routes/mcp.js";
import { memoryRoutes } from "./routes/memory.js";
import { systemRoutes } from "./routes/system.js";

export interface AppDeps {
  config: Config;
  memory: HierarchicalMemoryManager;
  /** Default: API keys in Postgres (none in cache-only mode, where every key is refused). */
  keys?: KeyVerifier;
  /** For the rate limiter; default: the memory's Redis client. */
  redis?: Redis;
  logger?: Logger;
  /** Default: Powertools Metrics when HIERARCHICAL_MEMORY_METRICS_ENABLED, else none. */
  metrics?: Metrics;
}

export function createApp({
  config,
  memory,
  keys: givenKeys,
  redis,
  logger: given,
  metrics: givenMetrics,
}: AppDeps) {
  const metrics =
    givenMetrics ??
    (config.http.metricsEnabled
      ? new Metrics({ namespace: "HierarchicalMemory", serviceName: "hierarchical-memory" })
      : undefined);
  const pool = memory.clients.postgres;
  const keys = givenKeys ?? (pool ? new ApiKeyStore(pool) : { verify: async () => undefined });
  const logger =
    given ??
    new Logger({ serviceName: "hierarchical-memory", logLevel: config.logLevel.toUpperCase() as "INFO" });
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw problems.badRequest(describeIssues(result.error.issues));
    },
  });
  const redisClient = redis ?? memory.clients.redis;
  const traffic = redisClient && new TrafficRecorder(redisClient, config.redis.keyPrefix);
  app.use(requestId(), requestLog(logger), requestMetrics(metrics, traffic));
  app.use(
    bodyLimit({
      maxSize: config.http.maxBodyBytes,
      onError: () => {
        throw problems.tooLarge(config.http.maxBodyBytes);
      },
    }),
  );
  // The REST memory routes and MCP share the keys, the rate limit and the tenant scoping.
  for (const path of ["/v1/users/*", "/mcp"]) {
    app.use(
      path,
      apiKeyAuth(keys),
      rateLimit(redisClient, config.http.rateLimitPerMinute, config.redis.keyPrefix, logger),
      async (c, next) => {
        if (c.get("tenantId") === adminTenant)
          throw problems.forbidden("an operator key opens /console only; use a tenant's key");
        await next();
      },
    );
    app.use(path, async (_c, next) => {
      await memory.ensureInitialized().catch((error: unknown) => {
        throw new TierUnavailableError("postgres", { cause: error });
      });
      await next();
    });
  }
  const audit = (event: Record<string, unknown>) => logger.info("audit", event);
  systemRoutes(app, memory);
  memoryRoutes(app, memory, audit);
  mcpRoutes(app, memory, audit);
  consoleRoutes(app, { memory, keys, traffic, audit });

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
      logger.error("request failed", { requestId: problem.requestId, error: error as Error });
    else if (problem.status > 500)
      logger.warn("request refused", {
        requestId: problem.requestId,
        method: c.req.method,
        route: c.req.routePath,
        detail: problem.detail,
        // What failed underneath (a pool timeout, a dropped connection): the operator's first question.
        cause: mapped instanceof Error && mapped.cause instanceof Error ? mapped.cause.message : undefined,
      });
    return c.json(problem, problem.status as ContentfulStatusCode, {
      "content-type": "application/problem+json",
      ...(mapped instanceof AppError ? mapped.headers : {}),
    });
  });
  return app;
}

const routePattern = (path: string) => new RegExp(`^${path.replace(/:[^/]+/g, "[^/]+")}$`);
