/**
 * Tier 1 client: the Upstash REST client, which works from Lambda without a TCP connection pool.
 * Locally it talks to real Redis through the emulation's REST bridge.
 */
import { Redis } from "@upstash/redis";
import type { Config } from "../../config/index.js";
import { UnexpectedAnswerError } from "../../errors/memory-error.js";
import { probeId, type TierProbe } from "../probe.js";

export function createRedisClient(config: Config["redis"]): Redis {
  return new Redis({
    url: config.url,
    token: config.token,
    enableTelemetry: false,
    retry: { retries: 2, backoff: (attempt) => 20 * 2 ** attempt },
  });
}

export function redisProbe(redis: Redis, keyPrefix: string): TierProbe {
  return {
    tier: "redis",
    async roundTrip() {
      const key = `${keyPrefix}${probeId()}`;
      const value = { ok: true, at: Date.now() };
      await redis.set(key, value, { ex: 30 });
      try {
        const read = await redis.get<typeof value>(key);
        if (read?.at !== value.at) throw new UnexpectedAnswerError("redis", "GET");
      } finally {
        await redis.del(key);
      }
    },
    async ping() {
      await redis.ping();
    },
  };
}
