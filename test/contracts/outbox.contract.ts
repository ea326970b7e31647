/** The Outbox port's contract (shared/tiers/outbox.ts), run against PostgresOutbox and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import type { ProjectionTier } from "../../shared/domain/tiers.js";
import type { Archive } from "../../shared/tiers/archive.js";
import type { Outbox } from "../../shared/tiers/outbox.js";
import { sleep } from "./fixture.js";

export interface OutboxFixture {
  /** An outbox holding no rows yet (claims and counts cover every row). */
  outbox: Outbox;
  /** The archive whose stores write the rows. */
  archive: Archive;
  user(): string;
}

const lease = 60_000;

export function outboxContract(name: string, make: () => Promise<OutboxFixture>) {
  describe(`Outbox contract: ${name}`, () => {
    let f: OutboxFixture;
    beforeEach(async () => {
      f = await make();
    });

    /** Stores an exchange for a new user with rows for these tiers; returns its id. */
    const exchangeFor = async (tiers: readonly ProjectionTier[], userId = f.user()) =>
      (await f.archive.insertExchange({ userId, userMessage: "m", botResponse: "r" }, tiers)).exchange.id;
    const rowsOf = (items: readonly { exchangeId: string; tier: string }[]) =>
      items.map((i) => `${i.exchangeId} ${i.tier}`).sort();

    it("claims due rows oldest first, up to the limit, each leased once", async () => {
      const user = f.user();
      const e1 = await exchangeFor(["redis", "chroma"], user);
      const e2 = await exchangeFor(["redis"], user);
      const first = await f.outbox.claim(2, lease);
      expect(rowsOf(first)).toEqual(
        rowsOf([
          { exchangeId: e1, tier: "redis" },
          { exchangeId: e1, tier: "chroma" },
        ]),
      );
      expect(first.map((i) => i.id)).toEqual([...first.map((i) => i.id)].sort((a, b) => a - b));
      for (const item of first) expect(item).toMatchObject({ userId: user, attempts: 1 });
      const second = await f.outbox.claim(10, lease);
      expect(second).toEqual([
        expect.objectContaining({ exchangeId: e2, tier: "redis", userId: user, attempts: 1 }),
      ]);
      expect(second[0]?.id).toBeGreaterThan(Math.max(...first.map((i) => i.id)));
      expect(await f.outbox.claim(10, lease)).toEqual([]);
    });

    it("hands a row out again once its lease is over, counting the attempt", async () => {
      const e1 = await exchangeFor(["neo4j"]);
      const [first] = await f.outbox.claim(10, 1);
      await sleep(50);
      const again = await f.outbox.claim(10, lease);
      expect(again).toEqual([{ ...first, attempts: 2 }]);
      expect(first?.exchangeId).toBe(e1);
    });

    it("claims only one exchange's rows, or only some tiers' rows, when asked", async () => {
      const e1 = await exchangeFor(["redis", "chroma", "neo4j"]);
      const e2 = await exchangeFor(["redis", "chroma"]);
      expect(rowsOf(await f.outbox.claim(10, lease, { exchangeId: e2 }))).toEqual(
        rowsOf([
          { exchangeId: e2, tier: "redis" },
          { exchangeId: e2, tier: "chroma" },
        ]),
      );
      expect(rowsOf(await f.outbox.claim(10, lease, { tiers: ["neo4j"] }))).toEqual([`${e1} neo4j`]);
      expect(rowsOf(await f.outbox.claim(10, lease, { exchangeId: e1, tiers: ["redis", "chroma"] }))).toEqual(
        rowsOf([
          { exchangeId: e1, tier: "redis" },
          { exchangeId: e1, tier: "chroma" },
        ]),
      );
      expect(await f.outbox.claim(10, lease)).toEqual([]);
    });

    it("claims the rows of several named exchanges, and of no other", async () => {
      const e1 = await exchangeFor(["chroma", "neo4j"]);
      const e2 = await exchangeFor(["chroma"]);
      const e3 = await exchangeFor(["chroma"]);
      expect(rowsOf(await f.outbox.claim(10, lease, { exchangeIds: [e1, e3], tiers: ["chroma"] }))).toEqual(
        rowsOf([
          { exchangeId: e1, tier: "chroma" },
          { exchangeId: e3, tier: "chroma" },
        ]),
      );
      expect(await f.outbox.claim(10, lease, { exchangeIds: [] })).toEqual([]);
      expect(rowsOf(await f.outbox.claim(10, lease))).toEqual(
        rowsOf([
          { exchangeId: e1, tier: "neo4j" },
          { exchangeId: e2, tier: "chroma" },
        ]),
      );
    });

    it("deletes completed rows, and one tier's rows of given exchanges", async () => {
      const e1 = await exchangeFor(["redis", "chroma"]);
      const e2 = await exchangeFor(["redis", "chroma"]);
      const e3 = await exchangeFor(["redis"]);
      const claimed = await f.outbox.claim(10, lease, { exchangeId: e1 });
      await f.outbox.complete(claimed.map((i) => i.id));
      await f.outbox.complete([]);
      await f.outbox.completeFor([e2, e3], "redis");
      expect(await f.outbox.backlog()).toEqual({ redis: 0, chroma: 1, neo4j: 0 });
      await f.outbox.releaseAll();
      expect(rowsOf(await f.outbox.claim(10, lease))).toEqual([`${e2} chroma`]);
    });

    it("backs a failed row off: not due right after, due again after retryDelayMs", async () => {
      const e1 = await exchangeFor(["chroma"]);
      const [item] = await f.outbox.claim(10, 1);
      if (!item) throw new Error("no row claimed");
      await f.outbox.fail(item.id, item.attempts, "chroma: timeout");
      await sleep(50);
      expect(await f.outbox.claim(10, lease)).toEqual([]);
      // attempts 1 backs off by 1 s.
      await sleep(1100);
      expect(await f.outbox.claim(10, lease)).toEqual([{ ...item, exchangeId: e1, attempts: 2 }]);
    });

    it("counts the rows still to apply per tier, due or not", async () => {
      expect(await f.outbox.backlog()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
      await exchangeFor(["redis", "chroma", "neo4j"]);
      await exchangeFor(["redis"]);
      await f.outbox.claim(2, lease);
      expect(await f.outbox.backlog()).toEqual({ redis: 2, chroma: 1, neo4j: 1 });
    });

    it("makes leased or backed-off rows due now, all or one tier's", async () => {
      const e1 = await exchangeFor(["redis", "chroma"]);
      const claimed = await f.outbox.claim(10, lease);
      expect(claimed).toHaveLength(2);
      const chroma = claimed.find((i) => i.tier === "chroma");
      await f.outbox.fail(chroma?.id ?? 0, 9, "down");
      expect(await f.outbox.claim(10, lease)).toEqual([]);
      await f.outbox.releaseAll("redis");
      expect(await f.outbox.claim(10, lease)).toEqual([
        expect.objectContaining({ exchangeId: e1, tier: "redis", attempts: 2 }),
      ]);
      await f.outbox.releaseAll();
      expect(rowsOf(await f.outbox.claim(10, lease))).toEqual(rowsOf(claimed));
    });
  });
}
