/**
 * Health, readiness, the OpenAPI document and its docs page: no API key needed. A stranger learns
 * only the status, from a read-only check shared by every caller for a while; an operator key
 * (the console's) also gets each tier's connectivity test, with failures as codes.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../api/hono-env.js";
import { adminTenant } from "../../domain/identity.js";
import { overallStatus, type TierConnectivity } from "../../memory/health-service.js";
import type { HierarchicalMemoryManager } from "../../memory/manager.js";

type Memory = Pick<
  HierarchicalMemoryManager,
  "testTierConnectivity" | "getTierHealthStatus" | "pingTiers" | "mode"
>;

export function systemRoutes(app: OpenAPIHono<AppEnv>, memory: Memory, identify: MiddlewareHandler<AppEnv>) {
  const statusOf = (results: readonly TierConnectivity[]) => overallStatus(results, memory.mode);

  app.get("/v1/health", identify, async (c) => {
    if (c.get("tenantId") !== adminTenant) {
      const status = statusOf(await memory.pingTiers());
      return c.json({ status }, status === "down" ? 503 : 200);
    }
    // An operator: each tier's write/read/delete round trip now, plus what live traffic has seen.
    const connectivity = await memory.testTierConnectivity();
    const { mode, tiers: seen, outboxBacklog } = await memory.getTierHealthStatus();
    const tiers = seen.map((h) => ({ ...h, ...connectivity.find((r) => r.tier === h.tier) }));
    const status = statusOf(connectivity);
    return c.json({ status, mode, tiers, outboxBacklog }, status === "down" ? 503 : 200);
  });

  /** Ready when the tier holding the truth answers. */
  app.get("/v1/ready", async (c) => {
    const ready = statusOf(await memory.pingTiers()) !== "down";
    return c.json({ ready }, ready ? 200 : 503);
  });

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Hierarchical Memory API",
      version: "1.0.0",
      description: "Conversation memory for chat bots: store exchanges, assemble what to remember.",
      // OpenAPI 3.1's SPDX `identifier` (the library's type knows only 3.0's name and url).
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" } as { name: string },
    },
    // Relative: the document is served by the API it describes, wherever that runs.
    servers: [{ url: "/", description: "This API" }],
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
