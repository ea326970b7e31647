/**
 * The memory's services on in-memory stores: what a store acknowledges when a projection tier fails,
 * how the outbox backs off and repairs, what a partly failed erase says, context under a failing
 * tier, cache-only mode and the bulk path. The same on the real stores: test/integration/memory.test.ts
 * and the fault tests.
 */
import { describe, expect, it } from "vitest";
import { conversation, storeConversation } from "../../helpers/conversation.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryMemory } from "../../helpers/in-memory-memory.js";
import { outage, withOutage } from "../../helpers/outage.js";

/** Waits for the summary and graph derivations the stores left running, by letting the event loop turn. */
const settle = () => new Promise((r) => setTimeout(r, 20));

describe("storing while a projection tier fails", () => {
  it("acknowledges the store, names the tier pending, and the reconciler repairs it once it answers", async () => {
    const graphDown = outage();
    const { manager, stores, logs } = inMemoryMemory(
      { HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "1000" },
      { adapt: (s) => ({ ...s, graph: s.graph && withOutage(s.graph, ["applyMany"], graphDown) }) },
    );
    const userId = uniqueId("graph-down");
    const stored = await manager.storeConversation({
      userId,
      userMessage: "My sister Ana lives in Lisbon.",
      botResponse: "Lovely!",
    });
    expect(stored.pending).toEqual(["neo4j"]);
    expect(await stores.archive?.byIds(userId, [stored.exchangeId])).toHaveLength(1);
    expect(await stores.outbox?.backlog()).toEqual({ redis: 0, chroma: 0, neo4j: 1 });
    const health = (await manager.getTierHealthStatus()).tiers.find((t) => t.tier === "neo4j");
    expect(health).toMatchObject({ healthy: false, lastError: "unreachable" });
    expect(logs.find((l) => l.message === "tier failed")).toMatchObject({
      tier: "neo4j",
      cause: expect.stringContaining("ECONNREFUSED"),
    });

    // Backed off: the worker does not hammer a tier that just failed.
    expect(await manager.reconcile()).toMatchObject({ applied: 0, failed: 0, errors: [] });

    graphDown.down = false;
    await stores.outbox?.releaseAll("neo4j");
    expect(await manager.reconcile()).toMatchObject({ applied: 1, failed: 0 });
    expect(await stores.outbox?.backlog()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
    const facts = (await stores.graph?.factsFor(userId, ["ana"], 5)) ?? [];
    expect(facts.length).toBeGreaterThan(0);
    expect(new Set(facts.map((f) => f.exchangeId))).toEqual(new Set([stored.exchangeId]));
  });

  it("answers before the derived tiers with no budget, and finishes them in the background", async () => {
    const { manager, stores } = inMemoryMemory({ HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0" });
    const userId = uniqueId("background");
    const ids = await storeConversation(manager, userId);
    expect((await stores.cache?.recent(userId, 10))?.map((e) => e.id)).toEqual([...ids].reverse());
    await settle();
    expect(await stores.outbox?.backlog()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
    expect(await stores.summaries?.countForUser(userId)).toBe(2);
  });
});

describe("context while a tier fails", () => {
  it("drops the failing tier, names it degraded with a code, and still answers from the others", async () => {
    const chromaDown = outage();
    const { manager } = inMemoryMemory(
      {},
      { adapt: (s) => ({ ...s, summaries: s.summaries && withOutage(s.summaries, ["search"], chromaDown) }) },
    );
    const userId = uniqueId("ctx");
    const ids = await storeConversation(manager, userId);
    const context = await manager.getConversationContext({ userId, currentQuery: "Where does Ana live?" });
    expect(context.degraded).toEqual(["chroma"]);
    expect(context.timings.chroma).toMatchObject({ status: "error", error: "unreachable" });
    expect(context.items[0]?.exchangeIds).toContain(ids[0]);
  });
});

describe("erasing while a tier fails", () => {
  it("erases the archive first, names the tier it could not reach, and the worker finishes the job", async () => {
    const chromaDown = outage();
    const { manager, stores, logs } = inMemoryMemory(
      {},
      {
        adapt: (s) => ({
          ...s,
          summaries: s.summaries && withOutage(s.summaries, ["deleteUser"], chromaDown),
        }),
      },
    );
    const userId = uniqueId("erase");
    await storeConversation(manager, userId);
    expect(await manager.deleteUser(userId)).toEqual({ exchanges: 5, pending: ["chroma"] });
    expect(await stores.archive?.exchangeCount(userId)).toBe(0);
    expect(await stores.cache?.recent(userId, 10)).toBeUndefined();
    expect(logs.find((l) => l.message === "erase task failed; it will be retried")).toMatchObject({
      tier: "chroma",
      code: "unreachable",
    });

    chromaDown.down = false;
    // Released at once: chroma's first pass, and redis's and neo4j's final passes (due in a minute).
    await stores.erasures?.releaseAll();
    expect((await manager.reconcile()).erasures).toEqual({ done: 3, failed: 0 });
    expect(await stores.summaries?.countForUser(userId)).toBe(0);
  });
});

describe("cache-only mode", () => {
  it("stores into the recent cache, once per idempotency key, and answers context from it", async () => {
    const { manager } = inMemoryMemory(
      { HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: "false" },
      { tiers: { postgres: false } },
    );
    expect(manager.mode).toBe("cache-only");
    const userId = uniqueId("cache-only");
    const input = { userId, userMessage: "remember tea", botResponse: "ok", idempotencyKey: "k" };
    const first = await manager.storeConversation(input);
    expect(await manager.storeConversation(input)).toEqual({
      exchangeId: first.exchangeId,
      duplicate: true,
      pending: [],
    });
    const context = await manager.getConversationContext({ userId, currentQuery: "tea" });
    expect(context.items.map((i) => i.exchangeIds[0])).toEqual([first.exchangeId]);
    expect(context.timings.postgres.status).toBe("disabled");
  });
});

describe("the bulk path", () => {
  it("writes what is new, numbered after the user's existing exchanges, and projects it", async () => {
    const { manager, stores } = inMemoryMemory();
    const userId = uniqueId("bulk");
    await manager.storeConversation({ userId, userMessage: "first", botResponse: "one" });
    const batch = conversation.map(([userMessage, botResponse], i) => ({
      id: crypto.randomUUID(),
      userId,
      userMessage,
      botResponse,
      metadata: {},
      timestamp: new Date(Date.UTC(2025, 1, 1 + i)),
      idempotencyKey: `import:${i}`,
    }));
    const { stored, pending } = await manager.storeConversations(batch);
    expect(stored.map((e) => e.ordinal)).toEqual([2, 3, 4, 5, 6]);
    expect(pending).toEqual([]);
    expect((await manager.storeConversations(batch)).stored).toEqual([]);
    expect(await stores.outbox?.backlog()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
    expect(await stores.cache?.recent(userId, 10)).toHaveLength(6);
    expect(await stores.summaries?.countForUser(userId)).toBe(2);
  });
});
