/**
 * The store path with the default budget (0): a store answers once Postgres committed and Redis was
 * written through; summaries and graph are derived in the background, and the outbox finishes
 * whatever the process did not.
 */
import { describe, expect, it, vi } from "vitest";
import {
  conversation,
  createTestMemory,
  expectProjectionMatchesArchive,
  storeConversation,
  uniqueId,
} from "../helpers/memory.js";

const t = await createTestMemory({ HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0" });
const { manager } = t;
const { archive, cache, summaries } = t.stores;

const pendingFor = async (userId: string) =>
  Number(
    (await t.raw().sql<{ n: string }>("SELECT count(*) AS n FROM outbox WHERE user_id = $1", [userId]))[0]?.n,
  );

describe("a store with no budget for derived projections", () => {
  it("has the recent cache written through when it answers, and the rest derived in the background", async () => {
    const userId = uniqueId("background");
    const results = [];
    for (const [userMessage, botResponse] of conversation)
      results.push(await manager.storeConversation({ userId, userMessage, botResponse }));
    for (const r of results) expect(r.pending).not.toContain("redis");
    const ids = results.map((r) => r.exchangeId);
    expect((await cache?.recent(userId, 10))?.map((e) => e.id)).toEqual([...ids].reverse());

    // No reconcile call: the derivations the stores started finish on their own.
    await vi.waitFor(async () => expect(await pendingFor(userId)).toBe(0), { timeout: 10_000, interval: 50 });
    expect(await summaries?.countForUser(userId)).toBe(2);
    for (const tier of manager.projections) await expectProjectionMatchesArchive(t, tier, userId);
  });

  it("loses nothing when a burst of stores outruns the background derivations", async () => {
    const users = Array.from({ length: 12 }, (_, i) => uniqueId(`burst${i}`));
    const stored = await Promise.all(users.map((u) => storeConversation(manager, u)));
    await manager.reconcile();
    // Rows claimed by a derivation still running are the background's to finish.
    for (const userId of users)
      await vi.waitFor(async () => expect(await pendingFor(userId)).toBe(0), {
        timeout: 10_000,
        interval: 50,
      });
    for (const [i, userId] of users.entries()) {
      expect((await archive?.allExchanges(userId))?.map((e) => e.id)).toEqual(stored[i]);
      for (const tier of manager.projections) await expectProjectionMatchesArchive(t, tier, userId);
    }
  });
});
