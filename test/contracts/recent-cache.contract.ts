/** The RecentCache port's contract (shared/tiers/recent-cache.ts), run against RedisRecentCache and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import type { Exchange } from "../../shared/domain/types.js";
import { type RecentCache, toCachedExchange } from "../../shared/tiers/recent-cache.js";
import { scanned } from "./fixture.js";

export interface RecentCacheFixture {
  /** A cache of capacity 2 or more. */
  cache: RecentCache;
  user(): string;
}

const exchange = (userId: string, ordinal: number, speaker?: string): Exchange => ({
  id: crypto.randomUUID(),
  userId,
  kind: "exchange",
  version: 1,
  ordinal,
  userMessage: `message ${ordinal}`,
  botResponse: `reply ${ordinal} ✓`,
  speaker,
  metadata: { kept: "only in the archive" },
  createdAt: new Date(Date.UTC(2025, 0, 1) + ordinal * 60_000),
});

/** `count` exchanges of a user, ordinals 1..count, newest first. */
const history = (userId: string, count: number) =>
  Array.from({ length: count }, (_, i) => exchange(userId, count - i));

export function recentCacheContract(name: string, make: () => Promise<RecentCacheFixture>) {
  describe(`RecentCache contract: ${name}`, () => {
    let f: RecentCacheFixture;
    beforeEach(async () => {
      f = await make();
      expect(f.cache.capacity).toBeGreaterThanOrEqual(2);
    });

    it("keeps pushed exchanges newest first, bounded by capacity, without user id or metadata", async () => {
      const u = f.user();
      const capacity = f.cache.capacity;
      const pushed = Array.from({ length: capacity + 2 }, (_, i) =>
        exchange(u, i + 1, i === 0 ? undefined : "Ana"),
      );
      for (const e of pushed) expect(await f.cache.push(e)).toBe(true);
      const newest = pushed.slice(2).reverse();
      expect(await f.cache.recent(u, 100)).toEqual(newest.map(toCachedExchange));
      expect(await f.cache.recent(u, 2)).toEqual(newest.slice(0, 2).map(toCachedExchange));
    });

    it("keeps each exchange's session and agent, and leaves them out when it has none", async () => {
      const u = f.user();
      const scoped = { ...exchange(u, 1), sessionId: "thread-7", agentId: "support-bot" };
      await f.cache.replace(u, [exchange(u, 2), scoped]);
      const [plain, kept] = (await f.cache.recent(u, 10)) ?? [];
      expect(kept).toMatchObject({ sessionId: "thread-7", agentId: "support-bot" });
      expect(plain).not.toHaveProperty("sessionId");
      expect(plain).not.toHaveProperty("agentId");
      await f.cache.push({ ...exchange(u, 3), sessionId: "thread-8" });
      expect((await f.cache.recent(u, 1))?.[0]).toMatchObject({ sessionId: "thread-8" });
    });

    it("answers a limit of 0 with no exchanges, still telling a list from a miss", async () => {
      const u = f.user();
      await f.cache.replace(u, history(u, 2));
      expect(await f.cache.recent(u, 0)).toEqual([]);
      expect(await f.cache.recent(f.user(), 0)).toBeUndefined();
    });

    it("answers undefined for a user without a list (a miss)", async () => {
      expect(await f.cache.recent(f.user(), 10)).toBeUndefined();
    });

    it("reports a push onto a list that is missing older history", async () => {
      const [fresh, expired, rebuilt] = [f.user(), f.user(), f.user()];
      expect(await f.cache.push(exchange(fresh, 1))).toBe(true);
      expect(await f.cache.push(exchange(expired, 5))).toBe(false);
      await f.cache.replace(rebuilt, history(rebuilt, 4));
      expect(await f.cache.push(exchange(rebuilt, 5))).toBe(true);
    });

    it("replaces a user's list with the given exchanges, cut to capacity; no exchanges is a miss", async () => {
      const u = f.user();
      await f.cache.push(exchange(u, 1));
      const list = history(u, f.cache.capacity + 1);
      await f.cache.replace(u, list);
      expect(await f.cache.recent(u, 100)).toEqual(list.slice(0, f.cache.capacity).map(toCachedExchange));
      const shorter = history(u, 1);
      await f.cache.replace(u, shorter);
      expect(await f.cache.recent(u, 100)).toEqual(shorter.map(toCachedExchange));
      await f.cache.replace(u, []);
      expect(await f.cache.recent(u, 100)).toBeUndefined();
    });

    it("replaces many users' lists at once, leaving the others", async () => {
      const [a, b, other] = [f.user(), f.user(), f.user()];
      await f.cache.push(exchange(other, 1));
      await f.cache.push(exchange(a, 1));
      const lists = new Map([
        [a, history(a, 2)],
        [b, history(b, 1)],
      ]);
      await f.cache.replaceMany(lists);
      await f.cache.replaceMany(new Map());
      expect(await f.cache.recent(a, 10)).toEqual(lists.get(a)?.map(toCachedExchange));
      expect(await f.cache.recent(b, 10)).toEqual(lists.get(b)?.map(toCachedExchange));
      expect(await f.cache.recent(other, 10)).toHaveLength(1);
    });

    it("lets the first claim of an idempotency key win, per user and key", async () => {
      const [a, b] = [f.user(), f.user()];
      expect(await f.cache.claimIdempotencyKey(a, "k1", "id-1")).toBeUndefined();
      expect(await f.cache.claimIdempotencyKey(a, "k1", "id-2")).toBe("id-1");
      expect(await f.cache.claimIdempotencyKey(a, "k1", "id-3")).toBe("id-1");
      expect(await f.cache.claimIdempotencyKey(a, "k2", "id-4")).toBeUndefined();
      expect(await f.cache.claimIdempotencyKey(b, "k1", "id-5")).toBeUndefined();
    });

    it("deletes one user's list and idempotency keys", async () => {
      const [a, b] = [f.user(), f.user()];
      await f.cache.replace(a, history(a, 2));
      await f.cache.replace(b, history(b, 2));
      await f.cache.claimIdempotencyKey(a, "k", "first-a");
      await f.cache.claimIdempotencyKey(b, "k", "first-b");
      await f.cache.deleteUser(a);
      expect(await f.cache.recent(a, 10)).toBeUndefined();
      expect(await f.cache.claimIdempotencyKey(a, "k", "after")).toBeUndefined();
      expect(await f.cache.recent(b, 10)).toHaveLength(2);
      expect(await f.cache.claimIdempotencyKey(b, "k", "other")).toBe("first-b");
    });

    it("keeps idempotency keys apart when a user id and a key could read as another pair", async () => {
      const u = f.user();
      await f.cache.claimIdempotencyKey(`${u}:b`, "c", "one");
      expect(await f.cache.claimIdempotencyKey(u, "b:c", "two")).toBeUndefined();
    });

    it("scans the users with a list or idempotency keys, and not a deleted one", async () => {
      const [a, b, c] = [f.user(), f.user(), f.user()];
      await f.cache.replace(a, history(a, 1));
      await f.cache.claimIdempotencyKey(b, "k", "id");
      await f.cache.replace(c, history(c, 1));
      await f.cache.deleteUser(c);
      const users = await scanned(f.cache.scanUsers());
      expect(users.has(a) && users.has(b)).toBe(true);
      expect(users.has(c)).toBe(false);
    });
  });
}
