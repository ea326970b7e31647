/**
 * Verified API keys, remembered (lru-cache) so a warm container does not ask Postgres on every
 * request. Under load a busy key's entry expiring must not send every in-flight request to Postgres
 * at once: when the pool is saturated they would all wait out the pool timeout together and fail.
 * So one check per key runs at a time, and for up to another `ttlMs` after expiry the last answer is
 * used while that check runs. A revoked key thus stops working within `ttlMs` plus one re-check; a
 * failing re-check keeps the last answer until it is `2 x ttlMs` old. A key found invalid is
 * remembered as such for 30 s.
 */
import { LRUCache } from "lru-cache";

export type VerifyKey = (key: string) => Promise<string | undefined>;

/** What the cache holds for a key found invalid: so a flood of one bogus key asks the store once. */
const unknownKey = "";
/** How long a key stays known as invalid. */
const unknownTtlMs = 30_000;

export class VerifiedKeys {
  readonly #cache: LRUCache<string, string>;
  readonly #ttlMs: number;

  /** `ttlMs` default 60 s; `now` for tests; at most `maxEntries` keys (default 10,000), least recent out first. */
  constructor(
    verify: VerifyKey,
    ttlMs = 60_000,
    now: () => number = performance.now.bind(performance),
    maxEntries = 10_000,
  ) {
    this.#ttlMs = ttlMs;
    this.#cache = new LRUCache<string, string>({
      max: maxEntries,
      // An answer is used at most this long after its check: its TTL, then as long again while re-checked.
      ttl: 2 * ttlMs,
      // Read the clock on every check (the default caches it for a millisecond, by a timer).
      ttlResolution: 0,
      perf: { now },
      // A failed re-check keeps the last answer (until it ages out).
      noDeleteOnFetchRejection: true,
      fetchMethod: async (key, _stale, { options }) => {
        const tenantId = await verify(key);
        if (tenantId !== undefined) return tenantId;
        options.ttl = unknownTtlMs;
        return unknownKey;
      },
    });
  }

  /** The key's tenant, or undefined for a key that is not (or no longer) valid. */
  async tenantOf(key: string): Promise<string | undefined> {
    const left = this.#cache.getRemainingTTL(key);
    const last = left > 0 ? this.#cache.get(key) : undefined;
    // Never seen, aged out, or its first check still running: wait for the (single) check.
    if (last === undefined) return orUndefined(await this.#cache.fetch(key));
    if (last === unknownKey) return undefined;
    // Past its TTL: re-check in the background; the next request past the grace sees any error.
    if (left <= this.#ttlMs) this.#cache.fetch(key, { forceRefresh: true }).catch(() => undefined);
    return last;
  }
}

const orUndefined = (tenantId: string | undefined) => (tenantId === unknownKey ? undefined : tenantId);
