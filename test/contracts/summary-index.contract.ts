/** The SummaryIndex port's contract (shared/tiers/summary-index.ts), run against ChromaSummaryIndex and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import { parseFilter } from "../../shared/domain/filter-grammar.js";
import type { Summary } from "../../shared/domain/types.js";
import type { IndexedExchange, SummaryIndex } from "../../shared/tiers/summary-index.js";
import { scanned } from "./fixture.js";

export interface SummaryIndexFixture {
  /** A prepared index. */
  index: SummaryIndex;
  user(): string;
}

const summary = (userId: string, windowIndex: number, text = `window ${windowIndex}`): Summary => ({
  userId,
  windowIndex,
  text,
  exchangeIds: [crypto.randomUUID(), crypto.randomUUID()],
  startAt: new Date(Date.UTC(2025, 0, 1, windowIndex)),
  endAt: new Date(Date.UTC(2025, 0, 1, windowIndex, 30)),
});

const exchange = (userId: string, n: number, extra: Partial<IndexedExchange> = {}): IndexedExchange => ({
  userId,
  exchangeId: crypto.randomUUID(),
  windowIndex: Math.floor(n / 4),
  text: `exchange ${n}`,
  createdAt: new Date(Date.UTC(2025, 0, 1, n)),
  ...extra,
});

export function summaryIndexContract(name: string, make: () => Promise<SummaryIndexFixture>) {
  describe(`SummaryIndex contract: ${name}`, () => {
    let f: SummaryIndexFixture;
    beforeEach(async () => {
      f = await make();
    });

    /** A user with windows 0, 1, 2 pointing along x, y and between them, and another user along x. */
    const twoUsers = async () => {
      const [u, v] = [f.user(), f.user()];
      const mine = [summary(u, 0), summary(u, 1), summary(u, 2)];
      const theirs = summary(v, 0, "the other user's");
      await f.index.upsert([
        { summary: mine[0] as Summary, embedding: [1, 0, 0, 0] },
        { summary: mine[1] as Summary, embedding: [0, 1, 0, 0] },
        { summary: theirs, embedding: [1, 0, 0, 0] },
        { summary: mine[2] as Summary, embedding: [0.8, 0.6, 0, 0] },
      ]);
      return { u, v, mine, theirs };
    };

    it("finds the user's own summaries, most similar first, with their cosine similarity", async () => {
      const { u, mine } = await twoUsers();
      const hits = await f.index.query(u, [2, 0, 0, 0], 10);
      expect(hits.map((h) => h.summary)).toEqual([mine[0], mine[2], mine[1]]);
      expect(hits[0]?.similarity).toBeCloseTo(1, 3);
      expect(hits[1]?.similarity).toBeCloseTo(0.8, 3);
      expect(hits[2]?.similarity).toBeCloseTo(0, 3);
      expect((await f.index.query(u, [1, 0, 0, 0], 2)).map((h) => h.summary.windowIndex)).toEqual([0, 2]);
      expect(await f.index.query(f.user(), [1, 0, 0, 0], 10)).toEqual([]);
    });

    it("answers a scoped query with the windows wholly in that session or agent only, scope kept", async () => {
      const u = f.user();
      const s1 = { ...summary(u, 0), sessionId: "s1", agentId: "x" };
      const s2 = { ...summary(u, 1), sessionId: "s2", agentId: "x" };
      const mixed = summary(u, 2);
      await f.index.upsert([
        { summary: s1, embedding: [1, 0, 0, 0] },
        { summary: s2, embedding: [0.9, 0.1, 0, 0] },
        { summary: mixed, embedding: [1, 0, 0, 0] },
      ]);
      const windows = async (scope?: { sessionId?: string; agentId?: string }) =>
        (await f.index.query(u, [1, 0, 0, 0], 10, { scope })).map((h) => h.summary.windowIndex).sort();
      expect(await windows({ sessionId: "s1" })).toEqual([0]);
      expect(await windows({ agentId: "x" })).toEqual([0, 1]);
      expect(await windows({ sessionId: "s2", agentId: "x" })).toEqual([1]);
      expect(await windows({ sessionId: "s1", agentId: "y" })).toEqual([]);
      expect(await windows()).toEqual([0, 1, 2]);
      const [hit] = await f.index.query(u, [1, 0, 0, 0], 1, { scope: { sessionId: "s1" } });
      expect(hit?.summary).toEqual(s1);
      const unscoped = (await f.index.query(u, [1, 0, 0, 0], 10)).find((h) => h.summary.windowIndex === 2);
      expect(unscoped?.summary).not.toHaveProperty("sessionId");
    });

    it("answers a filter with the windows it holds for as a whole: shared metadata and time span", async () => {
      const u = f.user();
      const hour = (h: number) => new Date(Date.UTC(2025, 0, 1, h));
      const windows: Summary[] = [
        { ...summary(u, 0), startAt: hour(0), endAt: hour(1), metadata: { topic: "billing", tags: ["vip"] } },
        { ...summary(u, 1), startAt: hour(2), endAt: hour(3), metadata: { topic: "refunds", priority: 2 } },
        { ...summary(u, 2), startAt: hour(4), endAt: hour(5) },
      ];
      await f.index.upsert(windows.map((s, i) => ({ summary: s, embedding: [1, i / 10, 0, 0] })));
      const at = async (raw: Record<string, unknown>) =>
        (await f.index.query(u, [1, 0, 0, 0], 10, { filter: parseFilter(raw) }))
          .map((h) => h.summary.windowIndex)
          .sort();
      expect(await at({ "metadata.topic": "billing" })).toEqual([0]);
      expect(await at({ "metadata.tags": "vip" })).toEqual([0]);
      expect(await at({ "metadata.topic": { $ne: "billing" } })).toEqual([1]);
      expect(await at({ "metadata.priority": { $gte: 2 } })).toEqual([1]);
      expect(await at({ $or: [{ "metadata.topic": "billing" }, { "metadata.priority": 2 }] })).toEqual([
        0, 1,
      ]);
      // Window 2's exchanges share nothing: whether they match is not known, so it is left out.
      expect(await at({ "metadata.topic": { $nin: ["billing", "refunds"] } })).toEqual([]);
      expect(await at({ createdAt: { $gte: "2025-01-01T02:00:00Z" } })).toEqual([1, 2]);
      // Window 1 spans 02:00-03:00: a bound inside it holds for some of its exchanges only.
      expect(await at({ createdAt: { $lt: "2025-01-01T02:30:00Z" } })).toEqual([0]);
      const [hit] = await f.index.query(u, [1, 0, 0, 0], 1, {
        filter: parseFilter({ "metadata.topic": "refunds" }),
      });
      expect(hit?.summary).toEqual(windows[1]);
    });

    it("overwrites a window's summary on a second write", async () => {
      const { u, mine } = await twoUsers();
      const rewritten = {
        ...summary(u, 0, "rewritten"),
        exchangeIds: [...(mine[0]?.exchangeIds ?? []), "x"],
      };
      await f.index.upsert([{ summary: rewritten, embedding: [0, 0, 1, 0] }]);
      expect(await f.index.countForUser(u)).toBe(3);
      const [best] = await f.index.query(u, [0, 0, 1, 0], 1);
      expect(best?.summary).toEqual(rewritten);
      expect(best?.similarity).toBeCloseTo(1, 3);
    });

    it("tells which exchanges each stored window covers, for that user only", async () => {
      const { u, v, mine, theirs } = await twoUsers();
      expect(await f.index.windowsOf(u, [0, 2, 7])).toEqual(
        new Map([
          [0, mine[0]?.exchangeIds],
          [2, mine[2]?.exchangeIds],
        ]),
      );
      expect(await f.index.windowsOf(v, [0, 1])).toEqual(new Map([[0, theirs.exchangeIds]]));
      expect(await f.index.windowsOf(u, [])).toEqual(new Map());
    });

    it("counts and deletes one user's summaries, leaving other users'", async () => {
      const { u, v } = await twoUsers();
      expect(await f.index.countForUser(u)).toBe(3);
      expect(await f.index.countForUser(v)).toBe(1);
      await f.index.deleteUser(u);
      expect(await f.index.countForUser(u)).toBe(0);
      expect(await f.index.query(u, [1, 0, 0, 0], 10)).toEqual([]);
      expect(await f.index.windowsOf(u, [0, 1, 2])).toEqual(new Map());
      expect(await f.index.countForUser(v)).toBe(1);
      expect(await f.index.query(v, [1, 0, 0, 0], 10)).toHaveLength(1);
    });

    it("lands writes asked at once, and none asked before a user's delete outlives it", async () => {
      const [u, v] = [f.user(), f.user()];
      const writes = [0, 1, 2, 3, 4, 5].map((w) =>
        f.index.upsert([{ summary: summary(w % 2 ? v : u, w), embedding: [1, 0, 0, w] }]),
      );
      await Promise.all([...writes, f.index.deleteUser(u)]);
      expect(await f.index.countForUser(u)).toBe(0);
      expect(await f.index.countForUser(v)).toBe(3);
    });

    it("deletes some windows of one user, leaving the user's others and other users' alone", async () => {
      const { u, v, mine, theirs } = await twoUsers();
      await f.index.deleteWindows(u, [1, 2]);
      await f.index.deleteWindows(v, []);
      expect((await f.index.query(u, [1, 0, 0, 0], 10)).map((h) => h.summary)).toEqual([mine[0]]);
      expect(await f.index.countForUser(u)).toBe(1);
      // Another user's window of the same index is untouched.
      await f.index.deleteWindows(f.user(), [0]);
      expect((await f.index.query(v, [1, 0, 0, 0], 10)).map((h) => h.summary)).toEqual([theirs]);
    });

    it("scans the users with summaries, and not a deleted one", async () => {
      const { u, v } = await twoUsers();
      await f.index.deleteUser(v);
      const users = await scanned(f.index.scanUsers());
      expect(users.has(u)).toBe(true);
      expect(users.has(v)).toBe(false);
    });

    describe("single exchanges", () => {
      /** A user's window along x, exchanges along x, y and between; another user's exchange along x. */
      const withExchanges = async () => {
        const [u, v] = [f.user(), f.user()];
        const window = summary(u, 0);
        const mine = [exchange(u, 0), exchange(u, 1, { sessionId: "s1" }), exchange(u, 2)];
        const theirs = exchange(v, 0, { text: "the other user's" });
        await f.index.upsert(
          [{ summary: window, embedding: [1, 0, 0, 0] }],
          [
            { exchange: mine[0] as IndexedExchange, embedding: [1, 0, 0, 0] },
            { exchange: mine[1] as IndexedExchange, embedding: [0, 1, 0, 0] },
            { exchange: theirs, embedding: [1, 0, 0, 0] },
            { exchange: mine[2] as IndexedExchange, embedding: [0.8, 0.6, 0, 0] },
          ],
        );
        return { u, v, window, mine, theirs };
      };

      it("finds the user's exchanges beside the windows in one search, most similar first", async () => {
        const { u, window, mine } = await withExchanges();
        const { windows, exchanges } = await f.index.search(u, [2, 0, 0, 0], 10);
        expect(windows.map((h) => h.summary)).toEqual([window]);
        expect(exchanges.map((h) => h.exchange)).toEqual([mine[0], mine[2], mine[1]]);
        expect(exchanges[1]?.similarity).toBeCloseTo(0.8, 3);
        expect((await f.index.search(u, [1, 0, 0, 0], 1)).exchanges).toHaveLength(1);
        // Windows alone, as query gives them, are untouched by the exchanges beside them.
        expect((await f.index.query(u, [0, 1, 0, 0], 10)).map((h) => h.summary)).toEqual([window]);
        expect(await f.index.search(f.user(), [1, 0, 0, 0], 10)).toEqual({ windows: [], exchanges: [] });
      });

      it("keeps to a scope and a filter on the exchange's own metadata and time", async () => {
        const u = f.user();
        const tagged = [
          exchange(u, 0, { metadata: { topic: "billing" }, sessionId: "s1" }),
          exchange(u, 1, { metadata: { topic: "refunds" }, sessionId: "s2", agentId: "x" }),
          exchange(u, 2),
        ];
        await f.index.upsert(
          [],
          tagged.map((e, i) => ({ exchange: e, embedding: [1, i / 10, 0, 0] })),
        );
        const found = async (selection: Parameters<SummaryIndex["search"]>[3]) =>
          (await f.index.search(u, [1, 0, 0, 0], 10, selection)).exchanges.map((h) => h.exchange.exchangeId);
        const id = (i: number) => tagged[i]?.exchangeId;
        expect(await found({ scope: { sessionId: "s1" } })).toEqual([id(0)]);
        expect(await found({ scope: { agentId: "x" } })).toEqual([id(1)]);
        expect(await found({ filter: parseFilter({ "metadata.topic": "refunds" }) })).toEqual([id(1)]);
        expect(await found({ filter: parseFilter({ createdAt: { $gte: "2025-01-01T01:00:00Z" } }) })).toEqual(
          [id(1), id(2)],
        );
        const [hit] = (await f.index.search(u, [1, 0, 0, 0], 1, { scope: { sessionId: "s2" } })).exchanges;
        expect(hit?.exchange).toEqual(tagged[1]);
      });

      it("gives back the vectors it holds of the user's exchanges, and none of another user's", async () => {
        const { u, v, mine, theirs } = await withExchanges();
        const ids = mine.map((e) => e.exchangeId);
        const held = await f.index.vectorsOf(u, [...ids, theirs.exchangeId, "unknown"]);
        expect([...held.keys()].sort()).toEqual([...ids].sort());
        const at = (i: number) => held.get(ids[i] ?? "") ?? [];
        expect(at(0)[0]).toBeCloseTo(1, 5);
        expect(at(1)[1]).toBeCloseTo(1, 5);
        expect(at(2)[0]).toBeCloseTo(0.8, 5);
        expect(await f.index.vectorsOf(v, [theirs.exchangeId])).toHaveProperty("size", 1);
        expect(await f.index.vectorsOf(u, [])).toEqual(new Map());
      });

      it("overwrites an exchange on a second write, and counts each kind apart", async () => {
        const { u, mine } = await withExchanges();
        const corrected = { ...(mine[1] as IndexedExchange), text: "corrected" };
        await f.index.upsert([], [{ exchange: corrected, embedding: [0, 0, 1, 0] }]);
        expect(await f.index.countExchanges(u)).toBe(3);
        expect(await f.index.countForUser(u)).toBe(1);
        const [best] = (await f.index.search(u, [0, 0, 1, 0], 1)).exchanges;
        expect(best?.exchange).toEqual(corrected);
      });

      it("deletes one exchange, then all of a user's with the user, leaving other users' alone", async () => {
        const { u, v, mine, theirs } = await withExchanges();
        await f.index.deleteExchanges(u, [mine[0]?.exchangeId ?? ""]);
        await f.index.deleteExchanges(v, []);
        // Another user's id given for this user deletes nothing of theirs.
        await f.index.deleteExchanges(u, [theirs.exchangeId]);
        const left = (await f.index.search(u, [1, 0, 0, 0], 10)).exchanges.map((h) => h.exchange);
        expect(left).toEqual([mine[2], mine[1]]);
        await f.index.deleteUser(u);
        expect(await f.index.countExchanges(u)).toBe(0);
        expect(await f.index.search(u, [1, 0, 0, 0], 10)).toEqual({ windows: [], exchanges: [] });
        expect((await f.index.search(v, [1, 0, 0, 0], 10)).exchanges.map((h) => h.exchange)).toEqual([
          theirs,
        ]);
        expect((await scanned(f.index.scanUsers())).has(u)).toBe(false);
      });
    });
  });
}
