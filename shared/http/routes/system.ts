/** Health, readiness, the OpenAPI document and its docs page: no API key needed. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../api/hono-env.js";
import type { HierarchicalMemoryManager } from "../../memory/manager.js";

type Memory = Pick<HierarchicalMemoryManager, "testTierConnectivity" | "getTierHealthStatus" | "mode">;

export function systemRoutes(app: OpenAPIHono<AppEnv>, memory: Memory) {
  const primary = () => (memory.mode === "durable" ? "postgres" : "redis");

  /** Each tier's connectivity now (write, read back, delete) plus what live traffic has seen. */
  app.get("/v1/health", async (c) => {
    const connectivity = await memory.testTierConnectivity();
    const { mode, tiers: seen, outboxBacklog } = await memory.getTierHealthStatus();
    const tiers = seen.map((h) => ({ ...h, ...connectivity.find((r) => r.tier === h.tier) }));
    const truth = connectivity.find((r) => r.tier === primary());
    const status = !truth?.ok ? "down" : connectivity.every((r) => r.ok) ? "ok" : "degraded";
    return c.json({ status, mode, tiers, outboxBacklog }, status === "down" ? 503 : 200);
  });

  /** Ready once the tier holding the truth answers; `reason` is a code, the details are logged. */
  app.get("/v1/ready", async (c) => {
    const truth = (await memory.testTierConnectivity(2000)).find((r) => r.tier === primary());
    return truth?.ok ? c.json({ ready: true }, 200) : c.json({ ready: false, reason: truth?.error }, 503);
  });

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Hierarchical Memory API",
      version: "1.0.0",
      description: "Conversation memory for chat bots: store exchanges, assemble what to remember.",
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "An API key: hm_<id>_<secret>",
  });

  app.get("/docs", (c) =>
    c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hierarchical Memory API</title></head>
<body><script id="api-reference" data-url="/openapi.json"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.76.0"></script></body></html>`),
  );
}
