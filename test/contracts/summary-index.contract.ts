/** The SummaryIndex port's contract (shared/tiers/summary-index.ts), run against ChromaSummaryIndex and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import { parseFilter } from "../../shared/domain/filter-grammar.js";
import type { Summary } from "../../shared/domain/types.js";
import type { SummaryIndex } from "../../shared/tiers/summary-index.js";
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
  });
}
