/** In-memory test double of the RateLimiter port (shared/tiers/rate-limiter.ts): a sliding one-minute log per key. */
import type { RateLimiter, RateOutcome } from "../../shared/tiers/rate-limiter.js";

const windowMs = 60_000;

export class InMemoryRateLimiter implements RateLimiter {
  readonly #perMinute: number;
  readonly #requests = new Map<string, number[]>();

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  async limit(key: string): Promise<RateOutcome> {
    const now = Date.now();
    const recent = (this.#requests.get(key) ?? []).filter((t) => t > now - windowMs);
    const success = recent.length < this.#perMinute;
    if (success) recent.push(now);
    this.#requests.set(key, recent);
    return { success, reset: (recent[0] ?? now) + windowMs };
  }
}
