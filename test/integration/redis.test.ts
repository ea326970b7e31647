/** Tier 1 through @upstash/redis, unmodified, against real Redis behind the emulation's REST bridge. */
import { afterAll, describe, expect, it } from "vitest";
import { createRedisClient, redisProbe } from "../../shared/tiers/redis/client.js";
import { testConfig } from "../helpers/config.js";

const config = testConfig();
const redis = createRedisClient(config.redis);
const prefix = `${config.redis.keyPrefix}test:${crypto.randomUUID()}:`;
const keys: string[] = [];
const key = (name: string) => {
  keys.push(prefix + name);
  return prefix + name;
};

afterAll(async () => {
  if (keys.length > 0) await redis.del(...keys);
});

describe("Redis tier (Upstash REST client)", () => {
  it("writes, reads back and deletes through the probe", async () => {
    await expect(redisProbe(redis, prefix).roundTrip()).resolves.toBeUndefined();
    expect(await redis.keys(`${prefix}probe-*`)).toEqual([]);
  });

  it("round-trips unicode and JSON values with a TTL", async () => {
    const k = key("unicode");
    const value = { text: "Grüße, 世界 🌍 \u0000 end", n: 42 };
    await redis.set(k, value, { ex: 60 });
    expect(await redis.get(k)).toEqual(value);
    const ttl = await redis.ttl(k);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("runs a pipeline in order, each command answering for itself", async () => {
    const k = key("list");
    const p = redis.pipeline();
    p.lpush(k, "a", "b", "c");
    p.ltrim(k, 0, 1);
    p.lrange(k, 0, -1);
    p.expire(k, 60);
    expect(await p.exec()).toEqual([3, "OK", ["c", "b"], 1]);
  });

  it("runs a MULTI/EXEC transaction", async () => {
    const k = key("counter");
    const tx = redis.multi();
    tx.incr(k);
    tx.incrby(k, 41);
    tx.get(k);
    expect(await tx.exec()).toEqual([1, 42, 42]);
  });

  it("surfaces a Redis error as a rejected promise", async () => {
    const k = key("string");
    await redis.set(k, "not a list");
    await expect(redis.lpush(k, "x")).rejects.toThrow(/WRONGTYPE/);
  });

  it("refuses a wrong token", async () => {
    const wrong = createRedisClient({ ...config.redis, token: "wrong-token" });
    await expect(wrong.get(key("any"))).rejects.toThrow(/Unauthorized/i);
  });
});
