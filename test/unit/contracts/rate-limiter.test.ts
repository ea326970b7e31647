/** The RateLimiter contract against the in-memory limiter. */
import { uniqueIds } from "../../contracts/fixture.js";
import { rateLimiterContract } from "../../contracts/rate-limiter.contract.js";
import { InMemoryRateLimiter } from "../../in-memory/index.js";

rateLimiterContract("in-memory", async () => ({
  limiter: new InMemoryRateLimiter(3),
  perMinute: 3,
  key: uniqueIds("key"),
}));
