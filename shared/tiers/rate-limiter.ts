/**
 * Port: a sliding-window request limit per key (an API key id). Implemented by RedisRateLimiter,
 * whose window is Upstash's approximation (the previous minute weighted by how much of it is left,
 * rounded down: a key may get one request more as a minute turns) and which lets a request through
 * when a check is slower than its timeout.
 */

export interface RateOutcome {
  success: boolean;
  /** When the window frees a request, epoch ms. */
  reset: number;
}

export interface RateLimiter {
  /** Counts one request of `key`; refuses it when the key is over its limit. */
  limit(key: string): Promise<RateOutcome>;
}
