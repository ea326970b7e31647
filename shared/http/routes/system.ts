/** Health, readiness, the OpenAPI document and its docs page: no API key needed. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HierarchicalMemoryManager } from "../../memory/manager.js";
import type { AppEnv } from "../env.js";

type Memory = Pick<
  HierarchicalMemoryManager,
  "testTierConnectivity" | "getTierHealthStatus" | "ensureInitialized"
>;

export function systemRoutes(app: OpenAPIHono<AppEnv>, memory: Memory) {
  /** Each tier's connectivity now (write, read back, delete) plus what live traffic has seen. */
  app.get("/v1/health", async (c) => {
    const connectivity = await memory.testTierConnectivity();
    const { mode, tiers: seen, outboxBacklog } = await memory.getTierHealthStatus();
    const tiers = seen.map((h) => ({ ...h, ...connectivity.find((r) => r.tier === h.tier) }));
    const primary = connectivity.find((r) => r.tier === (mode === "durable" ? "postgres" : "redis"));
    const status = !primary?.ok ? "down" : connectivity.every((r) => r.ok) ? "ok" : "degraded";
    return c.json({ status, mode, tiers, outboxBacklog }, status === "down" ? 503 : 200);
  });

  /** Ready once the schema is migrated and the tier holding the truth answers. */
  app.get("/v1/ready", async (c) => {
    try {
      await memory.ensureInitialized();
      const { mode } = await memory.getTierHealthStatus();
      const primary = (await memory.testTierConnectivity(2000)).find(
        (r) => r.tier === (mode === "durable" ? "postgres" : "redis"),
      );
      return primary?.ok
        ? c.json({ ready: true }, 200)
        : c.json({ ready: false, reason: primary?.error }, 503);
    } catch (error) {
      return c.json({ ready: false, reason: error instanceof Error ? error.message : String(error) }, 503);
    }
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
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script></body></html>`),
  );
}
