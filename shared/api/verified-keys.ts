/**
 * Verified API keys, remembered (lru-cache) so a warm container does not ask Postgres on every
 * request. Under load a busy key's entry expiring must not send every in-flight request to Postgres
 * at once: when the pool is saturated they would all wait out the pool timeout together and fail.
 * So one check per key runs at a time, and for up to another `ttlMs` after expiry the last answer is
 * used while that check runs. A revoked key thus stops working within `ttlMs` plus one re-check; a
 * failing re-check keeps the last answer until it is `2 x ttlMs` old. A key found invalid is
 * remembered as such for 30 s. A key's expiry is checked on every use, not at the next re-check.
 */
import { LRUCache } from "lru-cache";
import type { KeyGrant } from "../domain/scopes.js";

export type VerifyKey = (key: string) => Promise<KeyGrant | undefined>;

/** What the cache holds for a key found invalid: so a flood of one bogus key asks the store once. */
const unknownKey: KeyGrant = Object.freeze({ tenantId: "", scopes: [], expiresAt: null });
/** How long a key stays known as invalid. */
const unknownTtlMs = 30_000;

export class VerifiedKeys {
  readonly #cache: LRUCache<string, KeyGrant>;
  readonly #ttlMs: number;
  readonly #wallClock: () => number;

  /**
   * `ttlMs` default 60 s; `now` (monotonic) and `wallClock` (for expiry) for tests; at most
   * `maxEntries` keys (default 10,000), least recent out first.
   */
  constructor(
    verify: VerifyKey,
    ttlMs = 60_000,
    now: () => number = performance.now.bind(performance),
    maxEntries = 10_000,
    wallClock: () => number = Date.now,
  ) {
    this.#ttlMs = ttlMs;
    this.#wallClock = wallClock;
    this.#cache = new LRUCache<string, KeyGrant>({
      max: maxEntries,
      // An answer is used at most this long after its check: its TTL, then as long again while re-checked.
      ttl: 2 * ttlMs,
      // Read the clock on every check (the default caches it for a millisecond, by a timer).
      ttlResolution: 0,
      perf: { now },
      // A failed re-check keeps the last answer (until it ages out).
      noDeleteOnFetchRejection: true,
      fetchMethod: async (key, _stale, { options }) => {
        const grant = await verify(key);
        if (grant !== undefined) return grant;
        options.ttl = unknownTtlMs;
        return unknownKey;
      },
    });
  }

  /** What the key grants, or undefined for a key that is not (or no longer) valid. */
  async grantOf(key: string): Promise<KeyGrant | undefined> {
    const left = this.#cache.getRemainingTTL(key);
    const last = left > 0 ? this.#cache.get(key) : undefined;
    // Never seen, aged out, or its first check still running: wait for the (single) check.
    const grant = last ?? (await this.#cache.fetch(key));
    if (grant === undefined || grant === unknownKey) return undefined;
    // Past its TTL: re-check in the background; the next request past the grace sees any error.
    if (last && left <= this.#ttlMs) this.#cache.fetch(key, { forceRefresh: true }).catch(() => undefined);
    return grant.expiresAt && grant.expiresAt.getTime() <= this.#wallClock() ? undefined : grant;
  }
}
