/** createInMemoryStores: the Stores shape createStores gives, one shared state, tiers left out as configured. */
import { describe, expect, it } from "vitest";
import { createInMemoryStores } from "../../in-memory/index.js";

describe("createInMemoryStores", () => {
  it("gives every store, setup step and probe of the four tiers by default", async () => {
    const stores = createInMemoryStores({ rateLimitPerMinute: 5, legacy: [] });
    for (const role of [
      "archive",
      "outbox",
      "cache",
      "summaries",
      "graph",
      "keys",
      "runs",
      "traffic",
    ] as const)
      expect(stores[role], role).toBeDefined();
    expect(stores.rateLimiter).toBeDefined();
    expect(stores.legacy).toBeDefined();
    expect(stores.setup.map((s) => s.tier)).toEqual(["postgres", "chroma", "neo4j"]);
    expect(stores.probes.map((p) => p.tier).sort()).toEqual(["chroma", "neo4j", "postgres", "redis"]);
    for (const step of stores.setup) await step.run();
    for (const probe of stores.probes) await expect(probe.roundTrip()).resolves.toBeUndefined();
    await expect(stores.close()).resolves.toBeUndefined();
  });

  it("leaves out a disabled tier's stores, the rate limiter without a limit, the legacy source without records", () => {
    const stores = createInMemoryStores({ tiers: { postgres: false, neo4j: false } });
    expect([stores.archive, stores.outbox, stores.keys, stores.runs, stores.graph]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(stores.rateLimiter).toBeUndefined();
    expect(stores.legacy).toBeUndefined();
    expect(stores.cache?.capacity).toBe(50);
    expect(stores.probes.map((p) => p.tier).sort()).toEqual(["chroma", "redis"]);
    expect(createInMemoryStores({ tiers: { redis: false } }).cache).toBeUndefined();
  });

  it("keeps archive, outbox and migration runs in one state", async () => {
    const { archive, outbox, runs, state } = createInMemoryStores({ recentCacheSize: 7 });
    const { exchange } = (await archive?.insertExchange({ userId: "u", userMessage: "m", botResponse: "r" }, [
      "redis",
    ])) ?? { exchange: undefined };
    expect(state.exchanges.get(exchange?.id ?? "")?.exchange).toEqual(exchange);
    expect((await outbox?.claim(10, 1000))?.map((i) => i.exchangeId)).toEqual([exchange?.id]);
    await runs?.create("run-1", {});
    expect(state.runs.has("run-1")).toBe(true);
    expect(await archive?.eraseUser("u", [])).toBe(1);
    expect(state.outbox.size).toBe(0);
  });
});
