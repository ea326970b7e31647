/**
 * Verified API keys, remembered for `ttlMs` so a warm container does not ask Postgres on every
 * request. Under load a busy key's entry expiring must not send every in-flight request to Postgres
 * at once: when the pool is saturated they would all wait out the pool timeout together and fail
 * (seen in the 256-connection benchmark step as a burst of 503s). So one check per key runs at a
 * time, and for up to another `ttlMs` after expiry the last answer is used while that check runs.
 * A revoked key thus stops working within `ttlMs` plus one re-check; a failing re-check keeps the
 * last answer until it is `2 x ttlMs` old.
 */

export type VerifyKey = (key: string) => Promise<string | undefined>;

interface Entry {
  tenantId: string;
  until: number;
}

export class VerifiedKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly checks = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly verify: VerifyKey,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** The key's tenant, or undefined for a key that is not (or no longer) valid. */
  async tenantOf(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && now <= entry.until) return entry.tenantId;
    if (entry && now <= entry.until + this.ttlMs) {
      // A failed re-check keeps the entry; the next request past its grace asks and sees the error.
      this.check(key).catch(() => undefined);
      return entry.tenantId;
    }
    return this.check(key);
  }

  private check(key: string): Promise<string | undefined> {
    const running = this.checks.get(key);
    if (running) return running;
    const check = this.verify(key)
      .then((tenantId) => {
        if (tenantId === undefined) this.entries.delete(key);
        else {
          if (this.entries.size >= this.maxEntries) this.entries.clear();
          this.entries.set(key, { tenantId, until: this.now() + this.ttlMs });
        }
        return tenantId;
      })
      .finally(() => this.checks.delete(key));
    this.checks.set(key, check);
    return check;
  }
}
