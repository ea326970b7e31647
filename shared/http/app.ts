/**
 * createApp(deps) builds the Hono app from config and the memory manager. It knows nothing about
 * the runtime: functions/api.ts adapts it to Lambda, infra/local/start.ts serves it on Node.
 */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Config } from "../config/index.js";
import { AppError, problemType, toProblem } from "../errors/app-error.js";
import type { HierarchicalMemoryManager } from "../memory/manager.js";

export interface AppDeps {
  config: Config;
  memory: Pick<HierarchicalMemoryManager, "testTierConnectivity" | "getTierHealthStatus" | "mode">;
}

export function createApp({ memory }: AppDeps) {
  const app = new Hono();
  app.use(requestId());

  /** Each tier's connectivity now (write, read back, delete) plus what live traffic has seen. */
  app.get("/v1/health", async (c) => {
    const connectivity = await memory.testTierConnectivity();
    const { mode, tiers: seen, outboxBacklog } = await memory.getTierHealthStatus();
    const tiers = seen.map((h) => ({ ...h, ...connectivity.find((r) => r.tier === h.tier) }));
    const primary = connectivity.find((r) => r.tier === (mode === "durable" ? "postgres" : "redis"));
    const status = !primary?.ok ? "down" : connectivity.every((r) => r.ok) ? "ok" : "degraded";
    return c.json({ status, mode, tiers, outboxBacklog }, status === "down" ? 503 : 200);
  });

  app.notFound((c) => {
    throw new AppError(
      404,
      problemType("not-found"),
      "Not Found",
      `No route for ${c.req.method} ${c.req.path}`,
    );
  });

  app.onError((error, c) => {
    const problem = toProblem(error, c.get("requestId"), c.req.path);
    if (problem.status >= 500)
      console.error(JSON.stringify({ level: "error", requestId: problem.requestId, error: String(error) }));
    return c.json(problem, problem.status as ContentfulStatusCode, {
      "content-type": "application/problem+json",
    });
  });
  return app;
}
