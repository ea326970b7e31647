/** The RecentCache contract against RedisRecentCache, under a key prefix of this file's own. */
import { RedisRecentCache } from "../../../shared/tiers/redis/recent-cache.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { recentCacheContract } from "../../contracts/recent-cache.contract.js";
import { privateRedis } from "./real-stores.js";

const { redis, prefix } = privateRedis();
const cache = new RedisRecentCache(redis, { keyPrefix: prefix, size: 3, ttlSeconds: 60 });

recentCacheContract("Redis", async () => ({ cache, user: uniqueIds("cache") }));
