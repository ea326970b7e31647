/**
 * createApp(deps) builds the Hono app from config and the memory manager. It knows nothing about
 * the runtime: functions/api.ts adapts it to Lambda, infra/local/start.ts serves it on Node.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Redis } from "@upstash/redis";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiKeyStore } from "../auth/api-keys.js";
import type { Config } from "../config/index.js";
import { AppError, problems, TierUnavailableError, toProblem } from "../errors/app-error.js";
import { EmptyFieldError, type HierarchicalMemoryManager } from "../memory/manager.js";
import type { AppEnv } from "./env.js";
import { apiKeyAuth, type KeyVerifier, rateLimit, requestLog, requestMetrics } from "./middleware.js";
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
  app.use(requestId(), requestLog(logger), requestMetrics(metrics));
  app.use(
    bodyLimit({
      maxSize: config.http.maxBodyBytes,
      onError: () => {
        throw problems.tooLarge(config.http.maxBodyBytes);
      },
    }),
  );
  app.use(
    "/v1/users/*",
    apiKeyAuth(keys),
    rateLimit(redis ?? memory.clients.redis, config.http.rateLimitPerMinute, config.redis.keyPrefix, logger),
  );
  app.use("/v1/users/*", async (_c, next) => {
    await memory.ensureInitialized().catch((error: unknown) => {
      throw new TierUnavailableError("postgres", { cause: error });
    });
    await next();
  });
  systemRoutes(app, memory);
  memoryRoutes(app, memory, (event) => logger.info("audit", event));

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
      logger.warn("request refused", { requestId: problem.requestId, detail: problem.detail });
    return c.json(problem, problem.status as ContentfulStatusCode, {
      "content-type": "application/problem+json",
      ...(mapped instanceof AppError ? mapped.headers : {}),
    });
  });
  return app;
}

function toAppError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof TierUnavailableError) return problems.unavailable(error.tier, error);
  if (error instanceof EmptyFieldError) return problems.badRequest(error.message);
  if (error instanceof HTTPException && error.status < 500)
    return problems.badRequest(error.message || "invalid request");
  return error;
}

function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
}

const routePattern = (path: string) => new RegExp(`^${path.replace(/:[^/]+/g, "[^/]+")}$`);
