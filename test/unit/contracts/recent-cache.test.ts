/** The RecentCache contract against the in-memory cache. */
import { uniqueIds } from "../../contracts/fixture.js";
import { recentCacheContract } from "../../contracts/recent-cache.contract.js";
import { InMemoryRecentCache } from "../../in-memory/index.js";

recentCacheContract("in-memory", async () => ({
  cache: new InMemoryRecentCache({ size: 3, ttlSeconds: 60 }),
  user: uniqueIds("cache"),
}));
