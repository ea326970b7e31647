/** The RateLimiter contract against RedisRateLimiter (Upstash's sliding window), under a prefix of this file's own. */
import { RedisRateLimiter } from "../../../shared/tiers/redis/rate-limiter.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { rateLimiterContract } from "../../contracts/rate-limiter.contract.js";
import { privateRedis } from "./real-stores.js";

const { redis, prefix } = privateRedis();
// A generous timeout: a slow check lets the request through, which would fail the refusal on a busy machine.
const limiter = new RedisRateLimiter(redis, { perMinute: 3, prefix, timeoutMs: 5_000 });

rateLimiterContract("Redis", async () => ({ limiter, perMinute: 3, key: uniqueIds("key") }));
