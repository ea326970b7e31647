/** In-memory test double of the RecentCache port (shared/tiers/recent-cache.ts): bounded lists that expire. */
import type { Exchange } from "../../shared/domain/types.js";
import { type CachedExchange, type RecentCache, toCachedExchange } from "../../shared/tiers/recent-cache.js";

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/** As Redis gives it back: JSON, so an absent speaker is no key at all. */
const cached = (e: Exchange): CachedExchange => JSON.parse(JSON.stringify(toCachedExchange(e)));

export class InMemoryRecentCache implements RecentCache {
  readonly capacity: number;
  readonly #ttlMs: number;
  readonly #lists = new Map<string, Expiring<CachedExchange[]>>();
  /** Per user, the idempotency keys claimed (one expiring hash per user, as in Redis). */
  readonly #keys = new Map<string, Expiring<Record<string, string>>>();

  constructor(options: { size?: number; ttlSeconds?: number } = {}) {
    this.capacity = options.size ?? 50;
    this.#ttlMs = (options.ttlSeconds ?? 3600) * 1000;
  }

  async push(exchange: Exchange): Promise<boolean> {
    const items = [cached(exchange), ...(this.#live(this.#lists, exchange.userId) ?? [])].slice(
      0,
      this.capacity,
    );
    this.#lists.set(exchange.userId, { value: items, expiresAt: Date.now() + this.#ttlMs });
    return items.length >= Math.min(exchange.ordinal, this.capacity);
  }

  async recent(userId: string, limit: number): Promise<CachedExchange[] | undefined> {
    return this.#live(this.#lists, userId)?.slice(0, Math.max(0, Math.min(limit, this.capacity)));
  }

  async replace(userId: string, newestFirst: readonly Exchange[]): Promise<void> {
    await this.replaceMany(new Map([[userId, newestFirst]]));
  }

  /** An empty list is no list, as in Redis: the user's next read is a miss. */
  async replaceMany(lists: ReadonlyMap<string, readonly Exchange[]>): Promise<void> {
    for (const [userId, newestFirst] of lists) {
      const items = newestFirst.slice(0, this.capacity).map(cached);
      if (items.length === 0) this.#lists.delete(userId);
      else this.#lists.set(userId, { value: items, expiresAt: Date.now() + this.#ttlMs });
    }
  }

  async claimIdempotencyKey(userId: string, key: string, id: string): Promise<string | undefined> {
    const keys = this.#live(this.#keys, userId) ?? {};
    const first = keys[key];
    if (first !== undefined) return first;
    this.#keys.set(userId, { value: { ...keys, [key]: id }, expiresAt: Date.now() + this.#ttlMs });
    return undefined;
  }

  async deleteUser(userId: string): Promise<void> {
    this.#lists.delete(userId);
    this.#keys.delete(userId);
  }

  async *scanUsers(): AsyncIterable<string[]> {
    const users = [...new Set([...this.#lists.keys(), ...this.#keys.keys()])];
    for (let i = 0; i < users.length; i += 100) yield users.slice(i, i + 100);
  }

  #live<T>(map: Map<string, Expiring<T>>, key: string): T | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return structuredClone(entry.value);
    map.delete(key);
    return undefined;
  }
}
