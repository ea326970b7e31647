/**
 * Part of the Archive contract (archive.contract.ts): one exchange or note at a time (read, correct
 * with versions, delete erasure-grade) and notes. Called inside that suite, against both archives.
 */
import { describe, expect, it } from "vitest";
import { parseFilter } from "../../shared/domain/filter-grammar.js";
import type { ProjectionTier } from "../../shared/domain/tiers.js";
import type { ExchangeInput } from "../../shared/domain/types.js";
import type { RecentQuery } from "../../shared/tiers/archive.js";
import type { ArchiveFixture } from "./archive.contract.js";

const start = Date.UTC(2024, 0, 1);
const day = 86_400_000;

export function oneExchangeCases(fixture: () => ArchiveFixture) {
  const store = (
    userId: string,
    fields: Partial<ExchangeInput> & { days?: number } = {},
    tiers: ProjectionTier[] = [],
  ) => {
    const { days = 0, ...rest } = fields;
    return fixture().archive.insertExchange(
      {
        userId,
        userMessage: "My sister Ana lives in Lisbon.",
        botResponse: "Lovely city!",
        timestamp: new Date(start + days * day),
        ...rest,
      },
      tiers,
    );
  };
  const outboxTiers = async (exchangeId: string) =>
    (await fixture().outbox.claim(100, 60_000, { exchangeId })).map((r) => r.tier).sort();

  describe("one exchange at a time", () => {
    it("reads one exchange of the user by id, never another user's, at version 1 and kind exchange", async () => {
      const f = fixture();
      const [a, b] = [f.user(), f.user()];
      const { exchange } = await store(a);
      expect(exchange).toMatchObject({ kind: "exchange", version: 1 });
      expect(await f.archive.exchange(a, exchange.id)).toEqual(exchange);
      expect(await f.archive.exchange(b, exchange.id)).toBeUndefined();
      expect(await f.archive.exchange(a, crypto.randomUUID())).toBeUndefined();
      expect(await f.archive.exchange(a, "not-a-uuid")).toBeUndefined();
    });

    it("corrects one exchange: keeps the earlier version with who and when, bumps version, queues every tier", async () => {
      const f = fixture();
      const a = f.user();
      const { exchange } = await store(a, { speaker: "Ana", sessionId: "s1", metadata: { n: 1 } });
      await f.outbox.complete((await f.outbox.claim(100, 0, { exchangeId: exchange.id })).map((r) => r.id));
      const before = Date.now();
      const corrected = await f.archive.correctExchange(
        a,
        exchange.id,
        { userMessage: "My sister Ana moved to Porto.", speaker: null, agentId: "bot-2" },
        "key-1",
        ["redis", "chroma", "neo4j"],
      );
      expect(corrected).toEqual({
        ...exchange,
        userMessage: "My sister Ana moved to Porto.",
        speaker: undefined,
        agentId: "bot-2",
        version: 2,
      });
      expect(await f.archive.exchange(a, exchange.id)).toEqual(corrected);
      expect(await outboxTiers(exchange.id)).toEqual(["chroma", "neo4j", "redis"]);
      const versions = await f.archive.versions(a, exchange.id);
      expect(versions).toEqual([
        {
          version: 1,
          userMessage: "My sister Ana lives in Lisbon.",
          botResponse: "Lovely city!",
          speaker: "Ana",
          sessionId: "s1",
          metadata: { n: 1 },
          changedBy: "key-1",
          changedAt: expect.any(Date),
        },
      ]);
      expect(versions[0]?.changedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
      // A second correction keeps the second version; the word search finds the new words only.
      await f.archive.correctExchange(a, exchange.id, { metadata: { n: 2 } }, "operator", []);
      expect((await f.archive.versions(a, exchange.id)).map((v) => [v.version, v.changedBy])).toEqual([
        [1, "key-1"],
        [2, "operator"],
      ]);
      expect((await f.archive.exchange(a, exchange.id))?.metadata).toEqual({ n: 2 });
      expect((await f.archive.search(a, "Porto", 10)).map((h) => h.exchange.id)).toEqual([exchange.id]);
      expect(await f.archive.search(a, "Lisbon", 10)).toEqual([]);
    });

    it("corrects nothing of another user's or an unknown id", async () => {
      const f = fixture();
      const [a, b] = [f.user(), f.user()];
      const { exchange } = await store(a);
      expect(
        await f.archive.correctExchange(b, exchange.id, { userMessage: "x" }, "k", ["redis"]),
      ).toBeUndefined();
      expect(
        await f.archive.correctExchange(a, crypto.randomUUID(), { userMessage: "x" }, "k", []),
      ).toBeUndefined();
      expect(await f.archive.correctExchange(a, "nope", { userMessage: "x" }, "k", [])).toBeUndefined();
      expect(await f.archive.exchange(a, exchange.id)).toEqual(exchange);
      expect(await f.archive.versions(b, exchange.id)).toEqual([]);
      expect(await f.archive.versions(a, exchange.id)).toEqual([]);
    });

    it("deletes one exchange erasure-grade: the row, versions, key, outbox rows and its window's summary, with a task per tier", async () => {
      const f = fixture();
      const [a, b] = [f.user(), f.user()];
      const kept = (await store(a, { days: 0 })).exchange;
      const { exchange } = await store(a, { days: 1, idempotencyKey: "k1" }, ["redis", "neo4j"]);
      const later = (await store(a, { days: 2 })).exchange;
      await f.archive.correctExchange(a, exchange.id, { botResponse: "corrected" }, "k", []);
      await f.archive.rewriteWindows(
        [
          { userId: a, windowIndex: 0 },
          { userId: a, windowIndex: 1 },
        ],
        2,
        async (x) =>
          [...Map.groupBy(x, (e) => Math.floor((e.ordinal - 1) / 2)).entries()].map(([w, list]) => ({
            userId: a,
            windowIndex: w,
            text: list.map((e) => e.ordinal).join(","),
            exchangeIds: list.map((e) => e.id),
            startAt: list[0]?.createdAt ?? new Date(0),
            endAt: list[0]?.createdAt ?? new Date(0),
          })),
      );
      expect(await f.archive.deleteExchange(b, exchange.id, ["redis"], 2)).toBeUndefined();
      const gone = await f.archive.deleteExchange(a, exchange.id, ["redis", "neo4j"], 2);
      expect(gone).toMatchObject({ id: exchange.id, ordinal: 2, version: 2, botResponse: "corrected" });
      expect(await f.archive.exchange(a, exchange.id)).toBeUndefined();
      expect(await f.archive.versions(a, exchange.id)).toEqual([]);
      expect(await outboxTiers(exchange.id)).toEqual([]);
      expect((await f.archive.allExchanges(a)).map((e) => e.id)).toEqual([kept.id, later.id]);
      // Its window's summary is gone (the erase task rewrites it); the other window's stays.
      expect((await f.archive.summaries(a)).map((s) => s.windowIndex)).toEqual([1]);
      // The idempotency key goes with it: the same key stores anew.
      const again = await store(a, { idempotencyKey: "k1" });
      expect(again.duplicate).toBe(false);
      expect(await f.archive.deleteExchange(a, exchange.id, ["redis"], 2)).toBeUndefined();
      expect(await f.archive.deleteExchange(a, "nope", ["redis"], 2)).toBeUndefined();
    });

    it("rewrites a window whose exchanges are all gone by deleting its summary and telling the caller", async () => {
      const f = fixture();
      const a = f.user();
      const { exchange } = await store(a);
      const summary = {
        userId: a,
        windowIndex: 0,
        text: "one",
        exchangeIds: [exchange.id],
        startAt: exchange.createdAt,
        endAt: exchange.createdAt,
      };
      await f.archive.rewriteWindows([{ userId: a, windowIndex: 0 }], 2, async () => [summary]);
      await f.archive.deleteExchange(a, exchange.id, [], 2);
      await f.archive.rewriteWindows([{ userId: a, windowIndex: 0 }], 2, async () => [summary]);
      const emptied: unknown[] = [];
      await f.archive.rewriteWindows(
        [{ userId: a, windowIndex: 0 }],
        2,
        async () => {
          throw new Error("no exchanges: never asked");
        },
        async (windows) => {
          emptied.push(...windows);
        },
      );
      expect(emptied).toEqual([{ userId: a, windowIndex: 0 }]);
      expect(await f.archive.summaries(a)).toEqual([]);
    });
  });

  describe("notes", () => {
    it("stores a note as kind note and lists a user's notes only, newest first, paged, scoped and filtered", async () => {
      const f = fixture();
      const [a, b] = [f.user(), f.user()];
      const n1 = (await store(a, { kind: "note", userMessage: "Prefers tea", botResponse: "", days: 1 }))
        .exchange;
      await store(a, { days: 2 });
      const n2 = (
        await store(a, {
          kind: "note",
          userMessage: "Has a cat",
          botResponse: "",
          days: 3,
          sessionId: "s1",
          metadata: { topic: "pets" },
        })
      ).exchange;
      await store(b, { kind: "note", userMessage: "other", botResponse: "" });
      expect(n1).toMatchObject({ kind: "note", version: 1, botResponse: "" });
      const notes = async (limit: number, query: RecentQuery = {}) =>
        (await f.archive.recent(a, limit, { ...query, kind: "note" })).map((e) => e.id);
      expect(await notes(10)).toEqual([n2.id, n1.id]);
      expect(await notes(1)).toEqual([n2.id]);
      expect(await notes(10, { before: n2 })).toEqual([n1.id]);
      expect(await notes(10, { scope: { sessionId: "s1" } })).toEqual([n2.id]);
      expect(await notes(10, { filter: parseFilter({ "metadata.topic": { $ne: "pets" } }) })).toEqual([
        n1.id,
      ]);
      expect((await f.archive.recent(a, 10, { kind: "exchange" })).map((e) => e.kind)).toEqual(["exchange"]);
      expect((await f.archive.recent(a, 10)).map((e) => e.kind)).toEqual(["note", "exchange", "note"]);
    });
  });
}
