/** The RateLimiter port on Upstash's own sliding-window limiter, per key, over the REST client. */
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import type { RateLimiter, RateOutcome } from "../rate-limiter.js";

export class RedisRateLimiter implements RateLimiter {
  readonly #limiter: Ratelimit;

  /** `timeoutMs`: a limit check slower than this lets the request through (default 200). */
  constructor(redis: Redis, options: { perMinute: number; prefix: string; timeoutMs?: number }) {
    this.#limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(options.perMinute, "60 s"),
      prefix: `${options.prefix}ratelimit`,
      timeout: options.timeoutMs ?? 200,
      analytics: false,
    });
  }

  async limit(key: string): Promise<RateOutcome> {
    const { success, reset } = await this.#limiter.limit(key);
    return { success, reset };
  }
}
