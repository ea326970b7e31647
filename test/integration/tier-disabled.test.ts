/** Each projection tier switched off by its flag: no client is created, context still answers. */
import { describe, expect, it } from "vitest";
import type { Stores } from "../../shared/tiers/stores.js";
import { createTestMemory, storeConversation, uniqueId } from "../helpers/memory.js";

/** The stores each tier backs: a disabled tier leaves all of them out. */
const storesOf: Record<"redis" | "chroma" | "neo4j" | "postgres", (keyof Stores)[]> = {
  redis: ["cache", "traffic", "rateLimiter"],
  chroma: ["summaries"],
  neo4j: ["graph"],
  postgres: ["archive", "outbox", "keys", "runs", "legacy"],
};

function expectNoStoresOf(stores: Stores, tier: keyof typeof storesOf) {
  for (const name of storesOf[tier]) expect(stores[name], name).toBeUndefined();
  expect(stores.probes.map((p) => p.tier)).not.toContain(tier);
  expect(stores.setup.map((s) => s.tier)).not.toContain(tier);
}

describe.each([
  ["redis", "HIERARCHICAL_MEMORY_REDIS_ENABLED"],
  ["chroma", "HIERARCHICAL_MEMORY_CHROMADB_ENABLED"],
  ["neo4j", "HIERARCHICAL_MEMORY_NEO4J_ENABLED"],
] as const)("with %s disabled", (tier, flag) => {
  it("opens no connection to it, reports it disabled and still assembles context", async () => {
    const { manager, stores } = await createTestMemory({ [flag]: "false" });
    expectNoStoresOf(stores, tier);
    const userId = uniqueId(`off-${tier}`);
    const ids = await storeConversation(manager, userId);
    const context = await manager.getConversationContext({ userId, currentQuery: "Pixel the dog" });
    expect(context.timings[tier].status).toBe("disabled");
    expect(context.degraded).toEqual([]);
    expect(context.items.flatMap((i) => i.exchangeIds)).toContain(ids[2]);
    const health = (await manager.getTierHealthStatus()).tiers.find((t) => t.tier === tier);
    expect(health).toMatchObject({ enabled: false, healthy: undefined });
    expect((await manager.testTierConnectivity()).map((r) => r.tier)).not.toContain(tier);
  });
});

describe("with Postgres disabled", () => {
  it("works as a cache-only memory and says so", async () => {
    const { manager, stores } = await createTestMemory({ HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: "false" });
    expectNoStoresOf(stores, "postgres");
    expect(manager.mode).toBe("cache-only");
    const userId = uniqueId("cache-only");
    const first = await manager.storeConversation({
      userId,
      userMessage: "remember tea",
      botResponse: "ok",
      idempotencyKey: "k",
    });
    const retry = await manager.storeConversation({
      userId,
      userMessage: "remember tea",
      botResponse: "ok",
      idempotencyKey: "k",
    });
    expect(retry).toMatchObject({ exchangeId: first.exchangeId, duplicate: true });
    const context = await manager.getConversationContext({ userId, currentQuery: "tea" });
    expect(context.items.map((i) => i.exchangeIds[0])).toEqual([first.exchangeId]);
    expect(context.timings.postgres.status).toBe("disabled");
    expect((await manager.getTierHealthStatus()).mode).toBe("cache-only");
  });
});
