/**
 * The Erasures port's contract (shared/tiers/erasures.ts) with the Archive that writes its tasks,
 * run against PostgresErasures/PostgresArchive and the in-memory ones.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Archive } from "../../shared/tiers/archive.js";
import type { Erasures } from "../../shared/tiers/erasures.js";
import { sleep } from "./fixture.js";

export interface ErasuresFixture {
  archive: Archive;
  erasures: Erasures;
  user(): string;
}

export function erasuresContract(name: string, make: () => Promise<ErasuresFixture>) {
  describe(`Erasures contract: ${name}`, () => {
    let f: ErasuresFixture;
    beforeEach(async () => {
      f = await make();
    });
    const store = (userId: string) =>
      f.archive.insertExchange({ userId, userMessage: "hi", botResponse: "hello" }, []);

    it("is written with the erase: a tombstone and one task per projection tier", async () => {
      const [a, b] = [f.user(), f.user()];
      await store(a);
      await store(a);
      await store(b);
      expect(await f.archive.eraseUser(a, ["redis", "neo4j"])).toBe(2);
      expect(await f.erasures.pending()).toEqual({ redis: 1, chroma: 0, neo4j: 1 });
      expect(await f.erasures.erased([a, b, f.user()])).toEqual(new Set([a]));
      expect(await f.archive.knownUsers([a, b])).toEqual(new Set([b]));
      const tasks = await f.erasures.claim(10, 60_000);
      expect(tasks.map((t) => [t.userId, t.tier, t.final, t.attempts]).sort()).toEqual([
        [a, "neo4j", false, 1],
        [a, "redis", false, 1],
      ]);
    });

    it("tombstones a user erased with nothing stored, and lets the id be used again afterwards", async () => {
      const a = f.user();
      expect(await f.archive.eraseUser(a, ["chroma"])).toBe(0);
      expect(await f.erasures.erased([a])).toEqual(new Set([a]));
      const { exchange } = await store(a);
      expect(exchange.ordinal).toBe(1);
      expect(await f.archive.knownUsers([a])).toEqual(new Set([a]));
    });

    it("leases a claimed task, claims one user's only when asked, and moves on to the final pass", async () => {
      const [a, b] = [f.user(), f.user()];
      await f.archive.eraseUser(a, ["redis"]);
      await f.archive.eraseUser(b, ["redis"]);
      const [mine] = await f.erasures.claim(10, 60_000, { userId: a });
      expect(mine).toMatchObject({ userId: a, tier: "redis", final: false });
      expect((await f.erasures.claim(10, 60_000)).map((t) => t.userId)).toEqual([b]);
      expect(await f.erasures.claim(10, 60_000)).toEqual([]);
      if (!mine) throw new Error("no task claimed");
      // Clean: the final pass comes due after the given delay, then the task ends.
      await f.erasures.done(mine, 0);
      await sleep(5);
      const [final] = await f.erasures.claim(10, 60_000, { userId: a });
      expect(final).toMatchObject({ userId: a, tier: "redis", final: true, attempts: 1 });
      if (!final) throw new Error("no final pass");
      await f.erasures.done(final, 0);
      expect(await f.erasures.pending()).toEqual({ redis: 1, chroma: 0, neo4j: 0 });
    });

    it("backs a failed task off, and releases every task on demand", async () => {
      const a = f.user();
      await f.archive.eraseUser(a, ["chroma"]);
      const [task] = await f.erasures.claim(10, 0);
      if (!task) throw new Error("no task claimed");
      await f.erasures.fail(task, "chroma: unreachable");
      expect(await f.erasures.claim(10, 60_000)).toEqual([]);
      await f.erasures.releaseAll();
      expect((await f.erasures.claim(10, 60_000)).map((t) => [t.userId, t.attempts])).toEqual([[a, 2]]);
    });

    it("queues exchange-level tasks with a delete, claimed by exchange, ended like a user's, covered by a user erase", async () => {
      const a = f.user();
      const { exchange: kept } = await store(a);
      const { exchange } = await store(a);
      await f.archive.deleteExchange(a, exchange.id, ["redis", "chroma"], 1);
      expect(await f.erasures.pending()).toEqual({ redis: 1, chroma: 1, neo4j: 0 });
      expect(await f.erasures.erased([a])).toEqual(new Set());
      expect(await f.erasures.claim(10, 60_000, { exchangeId: kept.id })).toEqual([]);
      const tasks = await f.erasures.claim(10, 60_000, { exchangeId: exchange.id });
      expect(tasks.map((t) => [t.tier, t.exchangeId, t.windowIndex, t.final]).sort()).toEqual([
        ["chroma", exchange.id, 1, false],
        ["redis", exchange.id, 1, false],
      ]);
      for (const t of tasks) await f.erasures.done(t, 0);
      await sleep(5);
      const finals = await f.erasures.claim(10, 60_000, { userId: a });
      expect(finals.map((t) => [t.tier, t.exchangeId, t.final]).sort()).toEqual([
        ["chroma", exchange.id, true],
        ["redis", exchange.id, true],
      ]);
      const [first] = finals;
      if (!first) throw new Error("no final pass");
      await f.erasures.done(first, 0);
      expect(await f.erasures.pending()).toEqual(
        first.tier === "redis" ? { redis: 0, chroma: 1, neo4j: 0 } : { redis: 1, chroma: 0, neo4j: 0 },
      );
      // Erasing the user replaces what is left with the user's own tasks.
      await f.archive.eraseUser(a, ["redis", "chroma"]);
      expect((await f.erasures.claim(10, 60_000, { userId: a })).map((t) => t.exchangeId)).toEqual([
        undefined,
        undefined,
      ]);
    });

    it("starts a task over when the user is erased again before it ended", async () => {
      const a = f.user();
      await f.archive.eraseUser(a, ["redis"]);
      const [task] = await f.erasures.claim(10, 60_000);
      if (!task) throw new Error("no task claimed");
      await f.erasures.done(task, 3_600_000);
      await f.archive.eraseUser(a, ["redis"]);
      expect(await f.erasures.claim(10, 60_000)).toEqual([
        { userId: a, tier: "redis", final: false, attempts: 1 },
      ]);
    });
  });
}
