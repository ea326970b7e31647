/** Tier 1 in Redis (the RecentCache port): each user's list is one Redis list; a read is one round trip. */
import type { Redis } from "@upstash/redis";
import type { Exchange } from "../../domain/types.js";
import { type CachedExchange, type RecentCache, toCachedExchange } from "../recent-cache.js";

export interface RecentCacheOptions {
  keyPrefix: string;
  /** List length per user. Default 50. */
  size?: number;
  ttlSeconds: number;
}

export class RedisRecentCache implements RecentCache {
  readonly capacity: number;
  readonly #redis: Redis;
  readonly #options: RecentCacheOptions;

  constructor(redis: Redis, options: RecentCacheOptions) {
    this.#redis = redis;
    this.#options = options;
    this.capacity = options.size ?? 50;
  }

  key(userId: string) {
    return `${this.#options.keyPrefix}recent:${userId}`;
  }

  /**
   * Pushes one exchange and refreshes the TTL. Returns false when the list was missing history
   * (expired while the user has older exchanges): the caller then rebuilds it from the archive.
   */
  async push(exchange: Exchange): Promise<boolean> {
    const key = this.key(exchange.userId);
    const p = this.#redis.pipeline();
    p.lpush(key, toCachedExchange(exchange));
    p.ltrim(key, 0, this.capacity - 1);
    p.expire(key, this.#options.ttlSeconds);
    const [length] = (await p.exec()) as [number, unknown, unknown];
    return length >= Math.min(exchange.ordinal, this.capacity);
  }

  /** Newest first; `undefined` when the user has no list (a miss, not "no history"). */
  async recent(userId: string, limit: number): Promise<CachedExchange[] | undefined> {
    const key = this.key(userId);
    // LRANGE 0 -1 is the whole list: a limit of 0 asks whether the list exists, nothing more.
    if (limit <= 0) return (await this.#redis.exists(key)) ? [] : undefined;
    const p = this.#redis.pipeline();
    p.exists(key);
    p.lrange<CachedExchange>(key, 0, Math.min(limit, this.capacity) - 1);
    const [exists, items] = (await p.exec()) as [number, CachedExchange[]];
    return exists ? items : undefined;
  }

  /** Replaces the list atomically with these exchanges (newest first). */
  replace(userId: string, newestFirst: readonly Exchange[]): Promise<void> {
    return this.replaceMany(new Map([[userId, newestFirst]]));
  }

  /** Replaces many users' lists in one transaction (one round trip). */
  async replaceMany(lists: ReadonlyMap<string, readonly Exchange[]>): Promise<void> {
    if (lists.size === 0) return;
    const tx = this.#redis.multi();
    for (const [userId, newestFirst] of lists) {
      const key = this.key(userId);
      tx.del(key);
      const items = newestFirst.slice(0, this.capacity).map(toCachedExchange);
      if (items.length > 0) {
        tx.rpush(key, ...items);
        tx.expire(key, this.#options.ttlSeconds);
      }
    }
    await tx.exec();
  }

  /**
   * Cache-only mode: records `id` under the idempotency key unless one is there (kept for the cache
   * TTL). One hash per user, so an erase removes every key with the list, and no user id and key can
   * be read as another pair (user ids may contain ':').
   */
  async claimIdempotencyKey(userId: string, key: string, id: string): Promise<string | undefined> {
    const hash = this.#idemKey(userId);
    const p = this.#redis.pipeline();
    p.hsetnx(hash, key, id);
    p.hget<string>(hash, key);
    p.expire(hash, this.#options.ttlSeconds);
    const [claimed, first] = (await p.exec()) as [number, string | null, unknown];
    return claimed === 1 ? undefined : (first ?? undefined);
  }

  async deleteUser(userId: string): Promise<void> {
    await this.#redis.del(this.key(userId), this.#idemKey(userId));
  }

  async *scanUsers(): AsyncIterable<string[]> {
    for (const kind of ["recent", "idem"] as const) {
      const prefix = `${this.#options.keyPrefix}${kind}:`;
      let cursor: string | number = 0;
      do {
        const [next, keys]: [string | number, string[]] = await this.#redis.scan(cursor, {
          match: `${prefix}*`,
          count: 500,
        });
        cursor = next;
        if (keys.length > 0) yield keys.map((k) => k.slice(prefix.length));
      } while (String(cursor) !== "0");
    }
  }

  #idemKey(userId: string) {
    return `${this.#options.keyPrefix}idem:${userId}`;
  }
}
