/** The memory manager end to end on the real emulated stores. */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../shared/errors/memory-error.js";
import {
  createTestMemory,
  expectProjectionMatchesArchive,
  storeConversation,
  uniqueId,
} from "../helpers/memory.js";

const t = await createTestMemory();
const { manager } = t;
const { archive, cache, summaries, graph } = t.stores;

describe("storeConversation", () => {
  it("stores through every tier and reads back from each", async () => {
    const userId = uniqueId("alice");
    const ids = await storeConversation(manager, userId);
    await manager.reconcile();

    const archived = await archive?.allExchanges(userId);
    expect(archived?.map((e) => e.id)).toEqual(ids);
    expect(archived?.[0]).toMatchObject({ ordinal: 1, metadata: { turn: 0 } });

    const recent = await cache?.recent(userId, 10);
    expect(recent?.map((e) => e.id)).toEqual([...ids].reverse());

    // 5 exchanges in windows of 4: two summaries, in Postgres and in Chroma.
    const stored = await archive?.summaries(userId);
    expect(stored?.map((s) => s.exchangeIds)).toEqual([ids.slice(0, 4), ids.slice(4)]);
    expect(await summaries?.countForUser(userId)).toBe(2);

    const facts = await graph?.factsFor(userId, ["ana"], 10);
    expect(facts?.map((f) => f.text)).toContain("Ana is the user's sister.");
    expect(facts?.[0]?.exchangeId).toBe(ids[0]);

    // Other test files share the database, so only the shape of the backlog is certain.
    expect((await manager.getTierHealthStatus()).outboxBacklog).toEqual({
      redis: expect.any(Number),
      chroma: expect.any(Number),
      neo4j: expect.any(Number),
    });
  });

  it("returns the same id for a retried idempotency key and writes nothing twice", async () => {
    const userId = uniqueId("retry");
    const input = { userId, userMessage: "hello", botResponse: "hi!", idempotencyKey: "req-1" };
    const first = await manager.storeConversation(input);
    const retries = await Promise.all(Array.from({ length: 8 }, () => manager.storeConversation(input)));
    expect(first.duplicate).toBe(false);
    for (const r of retries) expect(r).toMatchObject({ exchangeId: first.exchangeId, duplicate: true });
    expect(await archive?.allExchanges(userId)).toHaveLength(1);
    expect(await cache?.recent(userId, 10)).toHaveLength(1);
  });

  it("lets concurrent first stores with one key create exactly one row", async () => {
    const userId = uniqueId("race");
    const input = { userId, userMessage: "same", botResponse: "same", idempotencyKey: "race-key" };
    const results = await Promise.all(Array.from({ length: 6 }, () => manager.storeConversation(input)));
    expect(new Set(results.map((r) => r.exchangeId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await archive?.allExchanges(userId)).toHaveLength(1);
  });

  it("keeps every concurrent store of one user, numbered without gaps", async () => {
    const userId = uniqueId("burst");
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        manager.storeConversation({ userId, userMessage: `message ${i}`, botResponse: `reply ${i}` }),
      ),
    );
    const all = await archive?.allExchanges(userId);
    expect(all?.map((e) => e.ordinal)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("rejects an exchange with no text as invalid input", async () => {
    const stored = manager.storeConversation({ userId: "u", userMessage: " ", botResponse: "" });
    await expect(stored).rejects.toThrow(/userMessage and botResponse cannot both be empty/);
    await expect(stored).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe("getConversationContext", () => {
  it("assembles recent, lexical, semantic and graph items for the query", async () => {
    const userId = uniqueId("ctx");
    const ids = await storeConversation(manager, userId);
    await manager.reconcile();
    const context = await manager.getConversationContext({
      userId,
      currentQuery: "Where does Ana live and what does she love?",
      now: new Date(Date.UTC(2025, 0, 10)),
    });
    expect(context.degraded).toEqual([]);
    expect(Object.values(context.timings).map((t) => t.status)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(context.items[0]?.exchangeIds).toContain(ids[0]);
    // The model finds the turns about Ana by meaning: they show as semantic (no longer as recent).
    expect(new Set(context.items.map((i) => i.source))).toContain("semantic");
    expect(context.timings.redis.items).toBeGreaterThan(0);
    expect(context.timings.neo4j.items).toBeGreaterThan(0);
    expect(context.timings.chroma.items).toBeGreaterThan(0);
    // Deduplicated: no exchange appears twice among exchange-level items (a claim, "Ana lives in
    // Lisbon.", is a graph item of its own beside its exchange's text).
    const single = context.items
      .filter((i) => i.source !== "graph" && i.exchangeIds.length === 1)
      .map((i) => i.exchangeIds[0]);
    expect(context.items.some((i) => i.source === "graph" && i.text === "Ana lives in Lisbon.")).toBe(true);
    expect(new Set(single).size).toBe(single.length);
  });

  it("honours maxItems and the token budget", async () => {
    const userId = uniqueId("cut");
    await storeConversation(manager, userId);
    const few = await manager.getConversationContext({ userId, currentQuery: "cello", maxItems: 2 });
    expect(few.items).toHaveLength(2);
    const small = await manager.getConversationContext({ userId, currentQuery: "cello", tokenBudget: 30 });
    expect(small.items.reduce((n, i) => n + Math.ceil(i.text.length / 4), 0)).toBeLessThanOrEqual(30);
  });

  it("never shows one user another user's memories", async () => {
    const alice = uniqueId("iso-a");
    const bob = uniqueId("iso-b");
    const aliceIds = await storeConversation(manager, alice);
    await manager.storeConversation({
      userId: bob,
      userMessage: "My sister Ana surfs in Lisbon too.",
      botResponse: "Nice.",
    });
    await manager.reconcile();
    const context = await manager.getConversationContext({
      userId: bob,
      currentQuery: "Ana Lisbon surfing cello Pixel Kyoto",
    });
    const seen = context.items.flatMap((i) => i.exchangeIds);
    expect(seen.length).toBeGreaterThan(0);
    for (const id of aliceIds) expect(seen).not.toContain(id);
    expect(context.items.map((i) => i.text).join(" ")).not.toMatch(/cello|Pixel|Kyoto/);
  });
});

describe("deleteUser and exportUser", () => {
  it("exports everything held about a user, then erases it from every tier", async () => {
    const userId = uniqueId("erase");
    await storeConversation(manager, userId);
    await manager.reconcile();
    const exported = await manager.exportUser(userId);
    expect(exported.exchanges).toHaveLength(5);
    expect(exported.summaries).toHaveLength(2);
    expect(exported.recentCache).toHaveLength(5);
    expect(exported.graph.facts.length).toBeGreaterThan(0);

    expect(await manager.deleteUser(userId)).toEqual({ exchanges: 5, pending: [] });
    expect(await archive?.allExchanges(userId)).toEqual([]);
    expect(await archive?.summaries(userId)).toEqual([]);
    expect(await cache?.recent(userId, 50)).toBeUndefined();
    expect(await summaries?.countForUser(userId)).toBe(0);
    expect(await graph?.counts(userId)).toEqual({ entities: 0, facts: 0 });
    const after = await manager.getConversationContext({ userId, currentQuery: "Ana" });
    expect(after.items).toEqual([]);
  });
});

describe("rebuilding projections from the archive", () => {
  it("restores every projection of a user after it was lost", async () => {
    const userId = uniqueId("rebuild");
    await storeConversation(manager, userId);
    await manager.reconcile();
    await Promise.all([cache?.deleteUser(userId), summaries?.deleteUser(userId), graph?.deleteUser(userId)]);
    expect(await summaries?.countForUser(userId)).toBe(0);

    await manager.rebuildUser(userId);
    for (const tier of ["redis", "chroma", "neo4j"] as const)
      await expectProjectionMatchesArchive(t, tier, userId);
  });
});
