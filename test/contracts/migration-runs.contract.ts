/** The MigrationRunStore port's contract (shared/tiers/migration-runs.ts), against PostgresMigrationRuns and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import type { Exchange } from "../../shared/domain/types.js";
import type { Archive, NewExchange } from "../../shared/tiers/archive.js";
import type {
  BatchCheckpoint,
  BatchRef,
  BatchWritten,
  MigrationRunStore,
} from "../../shared/tiers/migration-runs.js";
import type { Outbox } from "../../shared/tiers/outbox.js";
import { contractTest, day } from "./fixture.js";

export interface MigrationRunsFixture {
  /** A store holding no runs yet (lists and summaries cover every run). */
  runs: MigrationRunStore;
  /** The archive and outbox over the same tables. */
  archive: Archive;
  outbox: Outbox;
  user(): string;
}

const start = Date.UTC(2025, 0, 1);

const entry = (userId: string, key: string, days = 0): NewExchange => ({
  id: crypto.randomUUID(),
  userId,
  userMessage: `legacy ${key}`,
  botResponse: "reply",
  metadata: { legacyId: key },
  timestamp: new Date(start + days * day),
  idempotencyKey: key,
});

const ids = (list: readonly { id: string }[]) => list.map((e) => e.id);

/** Titles of tests a store may declare it is known to fail. */
export const migrationRunsCases = {
  countAfterRemoval: "leaves the archive counting only the exchanges a removal left",
};

export function migrationRunsContract(
  name: string,
  make: () => Promise<MigrationRunsFixture>,
  options: { knownFailures?: string[] } = {},
) {
  describe(`MigrationRunStore contract: ${name}`, () => {
    const test = contractTest(options.knownFailures);
    let f: MigrationRunsFixture;
    beforeEach(async () => {
      f = await make();
    });

    const newRun = async (options: Record<string, unknown> = { tenant: "t1" }) => {
      const id = crypto.randomUUID();
      await f.runs.create(id, options);
      return id;
    };
    const batch = (runId: string, index = 0, collection = "user_memories"): BatchRef => ({
      runId,
      collection,
      index,
    });
    const commit = (ref: BatchRef, exchanges: NewExchange[], report: Partial<BatchCheckpoint> = {}) =>
      f.runs.commitBatch(
        ref,
        exchanges,
        (inserted) => ({ seen: exchanges.length, skipped: [], ...report, inserted }),
        ["redis", "chroma"],
      );

    it("creates a run in state running and reads it back", async () => {
      const before = Date.now();
      const options = { tenant: "acme", batchSize: 100, dryRun: false, collections: ["user_memories"] };
      const id = await newRun(options);
      const run = await f.runs.get(id);
      expect(run).toMatchObject({ id, state: "running", options, integrity: null, error: null });
      expect(Math.abs((run?.startedAt.getTime() ?? 0) - before)).toBeLessThan(60_000);
      expect(run?.updatedAt.getTime()).toBeGreaterThanOrEqual(run?.startedAt.getTime() ?? Number.NaN);
      expect(await f.runs.get(crypto.randomUUID())).toBeUndefined();
    });

    it("lists runs newest first, up to the limit", async () => {
      const r1 = await newRun();
      const r2 = await newRun();
      const r3 = await newRun();
      expect(ids(await f.runs.list())).toEqual([r3, r2, r1]);
      expect(ids(await f.runs.list(2))).toEqual([r3, r2]);
    });

    it("sets the state, keeping integrity and error unless given (a null error clears it)", async () => {
      const id = await newRun();
      await f.runs.setState(id, "failed", { error: "legacy store unreachable" });
      expect(await f.runs.get(id)).toMatchObject({ state: "failed", error: "legacy store unreachable" });
      await f.runs.setState(id, "running");
      expect(await f.runs.get(id)).toMatchObject({ state: "running", error: "legacy store unreachable" });
      await f.runs.setState(id, "completed", { integrity: { score: 0.99, checked: 10 } });
      expect(await f.runs.get(id)).toMatchObject({
        state: "completed",
        integrity: { score: 0.99, checked: 10 },
        error: "legacy store unreachable",
      });
      await f.runs.setState(id, "validated", { error: null });
      const run = await f.runs.get(id);
      expect(run).toMatchObject({ state: "validated", integrity: { score: 0.99, checked: 10 }, error: null });
      expect(run?.updatedAt.getTime()).toBeGreaterThanOrEqual(run?.startedAt.getTime() ?? Number.NaN);
    });

    it("commits a batch's exchanges, outbox rows and checkpoint together; a repeat returns undefined", async () => {
      const runId = await newRun();
      const [u1, u2] = [f.user(), f.user()];
      const reported: BatchWritten[] = [];
      const exchanges = [entry(u1, "k2", 2), entry(u1, "k1", 1), entry(u2, "k1", 1)];
      const inserted = await f.runs.commitBatch(
        batch(runId),
        exchanges,
        (written) => {
          reported.push(written);
          return { seen: 3, inserted: written.inserted, skipped: [] };
        },
        ["redis", "chroma"],
      );
      expect(reported).toEqual([{ inserted: 3, erased: 0 }]);
      expect(inserted?.map((e) => [e.userId, e.metadata.legacyId, e.ordinal])).toEqual(
        expect.arrayContaining([
          [u1, "k1", 1],
          [u1, "k2", 2],
          [u2, "k1", 1],
        ]),
      );
      expect(inserted).toHaveLength(3);
      expect(ids(await f.archive.allExchanges(u1))).toEqual([exchanges[1]?.id, exchanges[0]?.id]);
      expect(await f.outbox.backlog()).toEqual({ redis: 3, chroma: 3, neo4j: 0 });
      expect(await f.runs.doneBatches(runId)).toEqual(
        new Map([["user_memories:0", { seen: 3, inserted: 3, skipped: [] }]]),
      );
      expect(await commit(batch(runId), [entry(u1, "k9", 9)])).toBeUndefined();
      expect(await f.archive.exchangeCount(u1)).toBe(2);
      expect(await f.outbox.backlog()).toEqual({ redis: 3, chroma: 3, neo4j: 0 });
      // Another index or collection is another batch.
      expect(await commit(batch(runId, 1), [entry(u1, "k3", 3)])).toHaveLength(1);
      expect(await commit(batch(runId, 0, "global_facts"), [])).toEqual([]);
      expect([...(await f.runs.doneBatches(runId)).keys()].sort()).toEqual([
        "global_facts:0",
        "user_memories:0",
        "user_memories:1",
      ]);
      expect(await f.runs.doneBatches(await newRun())).toEqual(new Map());
    });

    it("skips exchanges the archive has by user and idempotency key, reporting only what it inserted", async () => {
      const runId = await newRun();
      const u = f.user();
      const live = (
        await f.archive.insertExchange(
          { userId: u, userMessage: "m", botResponse: "r", idempotencyKey: "k1" },
          [],
        )
      ).exchange;
      let reported: BatchWritten | undefined;
      const inserted = await f.runs.commitBatch(
        batch(runId),
        [entry(u, "k1", 1), entry(u, "k2", 2)],
        (written) => {
          reported = written;
          return { seen: 2, skipped: [], inserted: written.inserted };
        },
        [],
      );
      expect(reported).toEqual({ inserted: 1, erased: 0 });
      expect(inserted?.map((e) => [e.metadata.legacyId, e.ordinal])).toEqual([["k2", 2]]);
      expect(await f.runs.byKeys([{ userId: u, key: "k1" }])).toEqual([live]);
    });

    it("never writes an erased user back, and counts what it left out", async () => {
      const runId = await newRun();
      const [gone, kept] = [f.user(), f.user()];
      await f.archive.insertExchange({ userId: gone, userMessage: "m", botResponse: "r" }, []);
      await f.archive.eraseUser(gone, []);
      let reported: BatchWritten | undefined;
      const inserted = await f.runs.commitBatch(
        batch(runId),
        [entry(gone, "k1", 1), entry(kept, "k1", 1), entry(gone, "k2", 2)],
        (written) => {
          reported = written;
          return { seen: 3, skipped: [] };
        },
        ["redis"],
      );
      expect(reported).toEqual({ inserted: 1, erased: 2 });
      expect(inserted?.map((e) => e.userId)).toEqual([kept]);
      expect(await f.archive.allExchanges(gone)).toEqual([]);
      expect(await f.runs.usersOf(runId)).toEqual([kept]);
    });

    it("never writes back one exchange deleted since an earlier run (same id), and counts it as erased", async () => {
      const u = f.user();
      const [first, second] = [entry(u, "k1", 1), entry(u, "k2", 2)];
      await f.runs.commitBatch(batch(await newRun()), [first, second], () => ({ seen: 2, skipped: [] }), []);
      expect(await f.archive.deleteExchange(u, first.id, [], 2)).toMatchObject({ id: first.id });
      let reported: BatchWritten | undefined;
      const inserted = await f.runs.commitBatch(
        batch(await newRun()),
        [{ ...first, idempotencyKey: "k1-again" }, entry(u, "k3", 3)],
        (written) => {
          reported = written;
          return { seen: 2, skipped: [] };
        },
        [],
      );
      expect(reported).toEqual({ inserted: 1, erased: 1 });
      expect(inserted?.map((e) => e.metadata.legacyId)).toEqual(["k3"]);
      expect((await f.archive.allExchanges(u)).map((e) => e.metadata.legacyId)).toEqual(["k2", "k3"]);
    });

    it("forgets an erased user's ids in the tenant's run options and integrity failures only", async () => {
      const [tenant, other] = [`t${crypto.randomUUID().slice(0, 8)}`, `o${crypto.randomUUID().slice(0, 8)}`];
      const failures = [
        { check: "user-count", record: "alice", detail: "1 of 2" },
        { check: "archive-row", record: `${tenant}/alice`, detail: "x" },
        { check: "user-count", record: "bob", detail: "1 of 2" },
      ];
      const mine = await newRun({ tenant, users: ["alice", "bob"] });
      const everyone = await newRun({ tenant, users: null });
      const theirs = await newRun({ tenant: other, users: ["alice"] });
      for (const id of [mine, theirs])
        await f.runs.setState(id, "validated", { integrity: { score: 1, failures } });
      await f.runs.forgetUser(`${tenant}/alice`);
      expect(await f.runs.get(mine)).toMatchObject({
        options: { tenant, users: ["bob"] },
        integrity: { score: 1, failures: [failures[2]] },
      });
      expect((await f.runs.get(everyone))?.options).toEqual({ tenant, users: null });
      expect(await f.runs.get(theirs)).toMatchObject({
        options: { users: ["alice"] },
        integrity: { failures },
      });
    });

    it("finds the run's users with exchanges still waiting in a tier's outbox, and those exchanges", async () => {
      const runId = await newRun();
      const [u1, u2, u3] = [f.user(), f.user(), f.user()];
      const inserted =
        (await commit(batch(runId), [entry(u2, "a", 1), entry(u1, "b", 2), entry(u1, "a", 1)])) ?? [];
      await f.archive.insertExchange({ userId: u3, userMessage: "live", botResponse: "r" }, ["redis"]);
      await commit(batch(await newRun()), [entry(u3, "x", 1)]);
      expect(await f.runs.usersWithPending(runId, "redis", "", 10)).toEqual([u1, u2]);
      expect(await f.runs.usersWithPending(runId, "redis", u1, 10)).toEqual([u2]);
      expect(await f.runs.usersWithPending(runId, "redis", "", 1)).toEqual([u1]);
      expect(await f.runs.usersWithPending(runId, "neo4j", "", 10)).toEqual([]);
      const waiting = await f.runs.unprojected(runId, "redis", [u2, u1]);
      expect(waiting.map((e) => [e.userId, e.ordinal])).toEqual([
        [u1, 1],
        [u1, 2],
        [u2, 1],
      ]);
      await f.outbox.completeFor(ids(inserted.filter((e) => e.userId === u1)), "redis");
      expect(await f.runs.usersWithPending(runId, "redis", "", 10)).toEqual([u2]);
      expect(await f.runs.usersWithPending(runId, "chroma", "", 10)).toEqual([u1, u2]);
      expect(await f.runs.unprojected(runId, "redis", [u1])).toEqual([]);
      expect(await f.runs.unprojected(runId, "chroma", [u1])).toHaveLength(2);
    });

    it("lists the users a run wrote exchanges for", async () => {
      const [r1, r2] = [await newRun(), await newRun()];
      const [u1, u2, u3] = [f.user(), f.user(), f.user()];
      await commit(batch(r1), [entry(u2, "a"), entry(u1, "a"), entry(u1, "b")]);
      await commit(batch(r2), [entry(u3, "a")]);
      expect(await f.runs.usersOf(r1)).toEqual([u1, u2]);
      expect(await f.runs.usersOf(r2)).toEqual([u3]);
      expect(await f.runs.usersOf(await newRun())).toEqual([]);
    });

    it("removes what a run wrote for one user, with the user's summaries; the user goes when nothing is left", async () => {
      const runId = await newRun();
      const [u1, u2] = [f.user(), f.user()];
      const live = (
        await f.archive.insertExchange({ userId: u1, userMessage: "m", botResponse: "r" }, ["redis"])
      ).exchange;
      const migrated =
        (await commit(batch(runId), [entry(u1, "a", 1), entry(u1, "b", 2), entry(u2, "a", 1)])) ?? [];
      await f.archive.rewriteWindows([{ userId: u1, windowIndex: 0 }], 10, async (x: Exchange[]) => [
        {
          userId: u1,
          windowIndex: 0,
          text: "s",
          exchangeIds: ids(x),
          startAt: new Date(start),
          endAt: new Date(start),
        },
      ]);
      expect(await f.runs.removeRunFromUser(runId, u1)).toBe(1);
      expect(await f.archive.allExchanges(u1)).toEqual([live]);
      expect(await f.archive.summaries(u1)).toEqual([]);
      for (const e of migrated.filter((x) => x.userId === u1))
        expect(await f.outbox.claim(10, 60_000, { exchangeId: e.id })).toEqual([]);
      expect(await f.outbox.claim(10, 60_000, { exchangeId: live.id })).toHaveLength(1);
      expect(await f.runs.usersOf(runId)).toEqual([u2]);
      expect(await f.runs.removeRunFromUser(runId, u2)).toBe(0);
      expect(await f.archive.allExchanges(u2)).toEqual([]);
      expect(await f.archive.exchangeCount(u2)).toBe(0);
      expect(await f.archive.userIds(u1, 10)).not.toContain(u2);
      expect(await f.archive.userIds(u1.slice(0, -1), 1)).toEqual([u1]);
    });

    test(migrationRunsCases.countAfterRemoval, async () => {
      const runId = await newRun();
      const u = f.user();
      await f.archive.insertExchange({ userId: u, userMessage: "m", botResponse: "r" }, []);
      await commit(batch(runId), [entry(u, "a", 1), entry(u, "b", 2)]);
      expect(await f.runs.removeRunFromUser(runId, u)).toBe(1);
      expect(await f.archive.exchangeCount(u)).toBe(1);
      expect(await f.archive.eraseUser(u, [])).toBe(1);
    });

    it("finds archived exchanges by (user, idempotency key)", async () => {
      const runId = await newRun();
      const [u1, u2] = [f.user(), f.user()];
      const inserted =
        (await commit(batch(runId), [entry(u1, "k1"), entry(u1, "k2"), entry(u2, "k1")])) ?? [];
      const found = await f.runs.byKeys([
        { userId: u1, key: "k1" },
        { userId: u2, key: "k1" },
        { userId: u2, key: "k2" },
        { userId: u1, key: "missing" },
      ]);
      const expected = inserted.filter((e) => e.metadata.legacyId === "k1");
      expect(ids(found).sort()).toEqual(ids(expected).sort());
      expect(await f.runs.byKeys([])).toEqual([]);
    });

    it("sums each run's committed batches for progress, newest run first", async () => {
      const older = await newRun();
      const newer = await newRun();
      const u = f.user();
      await commit(batch(older, 0), [entry(u, "a")], {
        seen: 10,
        skipped: [
          { id: "x1", reason: "no user" },
          { id: "x2", reason: "empty text" },
        ],
      });
      await commit(batch(older, 1), [], { seen: 5, skipped: [{ id: "x3", reason: "no user" }] });
      const [first, second] = await f.runs.summaries(10);
      expect(first).toEqual({
        run: await f.runs.get(newer),
        batchesDone: 0,
        recordsDone: 0,
        unmigratable: 0,
        reasons: [],
        lastBatchAt: null,
      });
      expect(second).toMatchObject({
        run: await f.runs.get(older),
        batchesDone: 2,
        recordsDone: 15,
        unmigratable: 3,
        reasons: [
          { reason: "no user", count: 2 },
          { reason: "empty text", count: 1 },
        ],
      });
      expect(second?.lastBatchAt).toBeInstanceOf(Date);
      expect(ids((await f.runs.summaries(1)).map((s) => s.run))).toEqual([newer]);
    });
  });
}
