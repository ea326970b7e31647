/** The RateLimiter port's contract (shared/tiers/rate-limiter.ts), run against RedisRateLimiter and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import type { RateLimiter } from "../../shared/tiers/rate-limiter.js";
import { sleep } from "./fixture.js";

export interface RateLimiterFixture {
  limiter: RateLimiter;
  /** Its requests per minute per key. */
  perMinute: number;
  /** A key no other test uses. */
  key(): string;
}

export function rateLimiterContract(name: string, make: () => Promise<RateLimiterFixture>) {
  describe(`RateLimiter contract: ${name}`, () => {
    let f: RateLimiterFixture;
    beforeEach(async () => {
      f = await make();
      // A sliding window may be approximated from per-minute buckets (Upstash's is, weighting the
      // previous minute's count rounded down), which lets one request more through as a minute
      // turns: a test starts early enough in a minute to finish within it.
      const left = 60_000 - (Date.now() % 60_000);
      if (left < 5_000) await sleep(left + 50);
    });

    it("allows a key its requests per minute, then refuses with a reset in the future", async () => {
      const key = f.key();
      for (let i = 0; i < f.perMinute; i++)
        expect((await f.limiter.limit(key)).success, `request ${i + 1}`).toBe(true);
      const refused = await f.limiter.limit(key);
      expect(refused.success).toBe(false);
      expect(refused.reset).toBeGreaterThan(Date.now());
      expect(refused.reset).toBeLessThanOrEqual(Date.now() + 60_000);
      expect((await f.limiter.limit(key)).success).toBe(false);
    });

    it("counts each key apart", async () => {
      const [busy, quiet] = [f.key(), f.key()];
      for (let i = 0; i <= f.perMinute; i++) await f.limiter.limit(busy);
      expect((await f.limiter.limit(busy)).success).toBe(false);
      expect((await f.limiter.limit(quiet)).success).toBe(true);
    });
  });
}
