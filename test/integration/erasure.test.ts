/**
 * Erasure is final, on the real stores (issue 17): 200 store-then-erase pairs leave nothing in any
 * tier once the worker settles; an erase reaches every Chroma collection of the index (every shard,
 * an earlier shard count, the collection from before sharding); a write landing after the first
 * pass is caught by the final one; the sweep finds what no task knows of. The same on in-memory
 * stores, with projections held mid-flight: test/unit/trust/erasure.test.ts.
 */
import { describe, expect, it } from "vitest";
import { ChromaSummaryIndex } from "../../shared/tiers/chroma/summary-index.js";
import { everythingOf, plantProjections } from "../helpers/erasure.js";
import { createTestMemory, uniqueId } from "../helpers/memory.js";

const tenant = uniqueId("erasure").toLowerCase();
const t = await createTestMemory({
  HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0",
  HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY: "0",
  // A Redis namespace of this file's own: its sweeps must not see other files' cache-only users.
  HIERARCHICAL_MEMORY_REDIS_DB: "7",
});
const { manager, stores } = t;
const fact = { userMessage: "My sister Ana lives in Lisbon and loves surfing.", botResponse: "Lovely!" };

/** Every summary document of `userId` in any collection named for this index, any layout. */
async function summaryDocsOf(userId: string) {
  const name = t.config.chroma.collection;
  const all = await t.raw().chroma.listCollections({ limit: 10_000 });
  const ours = all.filter((c) => c.name === name || c.name.startsWith(`${name}_`));
  const found = await Promise.all(ours.map((c) => c.get({ where: { user_id: userId }, include: [] })));
  return found.reduce((n, r) => n + r.ids.length, 0);
}

async function expectNothingOf(userId: string) {
  expect(await everythingOf(stores, userId)).toEqual({
    exchanges: 0,
    summaries: 0,
    recent: undefined,
    graph: { entities: 0, facts: 0 },
    summaryIndex: 0,
  });
  expect(await summaryDocsOf(userId)).toBe(0);
}

describe("erasure on the real stores", () => {
  // First: the index lists its collections at most every 30 s, and these must exist when it does.
  it("erases summaries from every collection of the index, whatever shard layout wrote them", async () => {
    const userId = `${tenant}/shards`;
    await manager.storeConversation({ userId, ...fact });
    await manager.reconcile();
    // Left by earlier layouts: another shard count, and the one collection from before sharding.
    const chroma = t.raw().chroma;
    const earlier = new ChromaSummaryIndex(chroma, t.config.chroma.collection, 7);
    const summary = { userId, windowIndex: 9, text: "Ana surfs.", exchangeIds: [], startAt: new Date(), endAt: new Date() };
    await earlier.upsert([{ summary, embedding: Array(t.config.embedding.dimensions).fill(0.1) }]);
    const unsharded = await chroma.getOrCreateCollection({ name: t.config.chroma.collection, embeddingFunction: null });
    await unsharded.upsert({
      ids: ["before-sharding"],
      embeddings: [Array(t.config.embedding.dimensions).fill(0.1)],
      documents: ["Ana surfs."],
      metadatas: [{ user_id: userId, window_index: 0 }],
    });
    expect(await summaryDocsOf(userId)).toBe(3);
    expect(await manager.deleteUser(userId)).toEqual({ exchanges: 1, pending: [] });
    await expectNothingOf(userId);
  });

  it("leaves nothing of 200 users stored and erased at once, in any tier, once the worker settles", {
    timeout: 120_000,
  }, async () => {
    const users = Array.from({ length: 200 }, (_, i) => `${tenant}/race-${i}`);
    for (let i = 0; i < users.length; i += 20)
      await Promise.all(
        users.slice(i, i + 20).map(async (userId, j) => {
          await manager.storeConversation({ userId, ...fact, botResponse: `Lovely! (${i + j})` });
          await manager.deleteUser(userId);
        }),
      );
    // What the stores left running in the background lands, then the worker's passes.
    await new Promise((r) => setTimeout(r, 2_000));
    await stores.erasures?.releaseAll();
    await manager.reconcile({ maxBatches: 100 });
    await manager.reconcile({ maxBatches: 100 });
    for (const userId of users) await expectNothingOf(userId);
    expect(await manager.sweepOrphans({ tenant })).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
  });

  it("catches with the final pass what lands after the first, and sweeps what no task knows of", async () => {
    const late = `${tenant}/late`;
    await manager.storeConversation({ userId: late, ...fact });
    await manager.reconcile();
    expect(await manager.deleteUser(late)).toEqual({ exchanges: 1, pending: [] });
    // A write in flight at the erase lands after its first pass.
    await plantProjections(stores, late);
    expect((await everythingOf(stores, late)).graph.facts).toBeGreaterThan(0);
    await manager.reconcile();
    await expectNothingOf(late);

    const ghost = `${tenant}/ghost`;
    await plantProjections(stores, ghost);
    expect(await manager.sweepOrphans({ tenant })).toEqual({ redis: 1, chroma: 1, neo4j: 1 });
    await expectNothingOf(ghost);
  });
});
