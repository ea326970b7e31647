/**
 * createApp(deps) builds the Hono app from config and tier clients. It knows nothing about the
 * runtime: functions/api.ts adapts it to Lambda, infra/local/start.ts serves it on Node.
 */
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Config } from "../config/index.js";
import { AppError, problemType, toProblem } from "../errors/app-error.js";
import type { TierClients } from "../tiers/index.js";

export interface AppDeps {
  config: Config;
  tiers: Pick<TierClients, "testConnectivity">;
}

export function createApp({ tiers }: AppDeps) {
  const app = new Hono();
  app.use(requestId());

  app.get("/v1/health", async (c) => {
    const results = await tiers.testConnectivity();
    const postgres = results.find((r) => r.tier === "postgres");
    const status = !postgres?.ok ? "down" : results.every((r) => r.ok) ? "ok" : "degraded";
    return c.json({ status, tiers: results }, status === "down" ? 503 : 200);
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
