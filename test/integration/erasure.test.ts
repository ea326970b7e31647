/**
 * Erasure is final, on the real stores (issue 17): 200 store-then-erase pairs leave nothing in any
 * tier once the worker settles; an erase reaches every Chroma collection of the index (every shard,
 * an earlier shard count, the collection from before sharding); a write landing after the first
 * pass is caught by the final one; the sweep finds what no task knows of. The same on in-memory
 * stores, with projections held mid-flight: test/unit/trust/erasure.test.ts. A migration batch and
 * an erase of the same user never interleave.
 */
import { describe, expect, it } from "vitest";
import type { NewExchange } from "../../shared/tiers/archive.js";
import { ChromaSummaryIndex } from "../../shared/tiers/chroma/summary-index.js";
import { tombstoneOf } from "../../shared/tiers/erasures.js";
import { insertExchanges } from "../../shared/tiers/postgres/bulk-insert.js";
import {
  eraseLockSpace,
  lockUserForErase,
  lockUsersAgainstErase,
} from "../../shared/tiers/postgres/erase-lock.js";
import { everythingOf, nothingLeft, plantProjections } from "../helpers/erasure.js";
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
  const name = t.config.chroma.baseCollection;
  const all = await t.raw().chroma.listCollections({ limit: 10_000 });
  const ours = all.filter((c) => c.name === name || c.name.startsWith(`${name}_`));
  const found = await Promise.all(ours.map((c) => c.get({ where: { user_id: userId }, include: [] })));
  return found.reduce((n, r) => n + r.ids.length, 0);
}

async function expectNothingOf(userId: string) {
  expect(await everythingOf(stores, userId)).toEqual(nothingLeft);
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
    const summary = {
      userId,
      windowIndex: 9,
      text: "Ana surfs.",
      exchangeIds: [],
      startAt: new Date(),
      endAt: new Date(),
    };
    await earlier.upsert([{ summary, embedding: Array(t.config.embedding.dimensions).fill(0.1) }]);
    // And another model's collections, as a change of embedding model leaves them.
    const otherModel = new ChromaSummaryIndex(chroma, `${t.config.chroma.baseCollection}_other-model`, 3);
    await otherModel.upsert([{ summary, embedding: [0.1, 0.2, 0.3] }]);
    const unsharded = await chroma.getOrCreateCollection({
      name: t.config.chroma.collection,
      embeddingFunction: null,
    });
    await unsharded.upsert({
      ids: ["before-sharding"],
      embeddings: [Array(t.config.embedding.dimensions).fill(0.1)],
      documents: ["Ana surfs."],
      metadatas: [{ user_id: userId, window_index: 0 }],
    });
    // The window's summary and the exchange's own vector, and one from each earlier layout or model.
    expect(await summaryDocsOf(userId)).toBe(5);
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
    await plantProjections(stores, late, t.config.embedding.dimensions);
    expect((await everythingOf(stores, late)).graph.facts).toBeGreaterThan(0);
    await manager.reconcile();
    await expectNothingOf(late);

    const ghost = `${tenant}/ghost`;
    await plantProjections(stores, ghost, t.config.embedding.dimensions);
    expect(await manager.sweepOrphans({ tenant })).toEqual({ redis: 1, chroma: 1, neo4j: 1 });
    await expectNothingOf(ghost);
  });
});

describe("a migration batch and an erase of the same user, on Postgres", () => {
  const legacyExchange = (userId: string): NewExchange => ({
    id: crypto.randomUUID(),
    userId,
    userMessage: "legacy: I live in Porto",
    botResponse: "Noted.",
    metadata: {},
    timestamp: new Date(),
    idempotencyKey: `legacy:${crypto.randomUUID()}`,
  });
  const open = () => t.raw().pg.connect();
  /** Resolves once another transaction waits for this user's erase lock (or after 2 s: nobody will). */
  const waitingForLock = async (userId: string) => {
    for (const deadline = Date.now() + 2_000; Date.now() < deadline; ) {
      const [row] = await t.raw().sql<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
            AND classid = $1 AND objid::bigint = (hashtext($2)::bigint + 4294967296) % 4294967296`,
        [eraseLockSpace, userId],
      );
      if (Number(row?.n) > 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it("an erase waits for a batch writing the user, then erases what it wrote", async () => {
    const userId = `${tenant}/batch-first`;
    const batch = await open();
    try {
      await batch.query("BEGIN");
      await lockUsersAgainstErase(batch, [userId]);
      await insertExchanges(batch, null, [legacyExchange(userId)], []);
      const erasing = stores.archive?.eraseUser(userId, []);
      await waitingForLock(userId);
      await batch.query("COMMIT");
      expect(await erasing).toBe(1);
    } finally {
      batch.release();
    }
    expect(await stores.archive?.allExchanges(userId)).toEqual([]);
  });

  it("a batch waits for an erase in progress, then sees its tombstone and writes nothing", async () => {
    const userId = `${tenant}/erase-first`;
    const runId = crypto.randomUUID();
    await stores.runs?.create(runId, { tenant });
    const erase = await open();
    try {
      await erase.query("BEGIN");
      await lockUserForErase(erase, userId);
      await erase.query("INSERT INTO erased_users (user_hash) VALUES ($1)", [tombstoneOf(userId)]);
      const committing = stores.runs?.commitBatch(
        { runId, collection: "user_memories", index: 0 },
        [legacyExchange(userId)],
        (written) => ({ seen: 1, skipped: [], ...written }),
        [],
      );
      await waitingForLock(userId);
      await erase.query("COMMIT");
      expect(await committing).toEqual([]);
    } finally {
      erase.release();
    }
    expect(await stores.archive?.allExchanges(userId)).toEqual([]);
    expect(await stores.runs?.doneBatches(runId)).toEqual(
      new Map([["user_memories:0", { seen: 1, skipped: [], inserted: 0, erased: 1 }]]),
    );
  });
});
