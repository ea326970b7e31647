/**
 * Console traffic in Redis (the TrafficLog port): per minute, a hash of counts and a bounded list
 * of context latencies, both expiring after two hours.
 */
import type { Redis } from "@upstash/redis";
import { percentile } from "../../util/stats.js";
import {
  latenciesPerMinute,
  type TrafficEntry,
  type TrafficLog,
  type TrafficMinute,
  trafficKeepSeconds,
} from "../traffic-log.js";

export class RedisTrafficLog implements TrafficLog {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #keys(minute: number) {
    return { counts: `${this.#prefix}console:t:${minute}`, latencies: `${this.#prefix}console:l:${minute}` };
  }

  async record(entry: TrafficEntry, at = Date.now()): Promise<void> {
    const { counts, latencies } = this.#keys(Math.floor(at / 60_000));
    const p = this.#redis.pipeline();
    p.hincrby(counts, "requests", 1);
    if (entry.status >= 500) p.hincrby(counts, "serverErrors", 1);
    p.expire(counts, trafficKeepSeconds);
    if (entry.context) {
      p.lpush(latencies, Math.round(entry.durationMs * 10) / 10);
      p.ltrim(latencies, 0, latenciesPerMinute - 1);
      p.expire(latencies, trafficKeepSeconds);
    }
    await p.exec();
  }

  async read(minutes: number, now = Date.now()): Promise<TrafficMinute[]> {
    const last = Math.floor(now / 60_000);
    const span = Array.from({ length: minutes }, (_, i) => last - minutes + 1 + i);
    const p = this.#redis.pipeline();
    for (const m of span) {
      const { counts, latencies } = this.#keys(m);
      p.hgetall(counts);
      p.lrange(latencies, 0, -1);
    }
    const replies = await p.exec<unknown[]>();
    return span.map((m, i) => {
      const counts = (replies[2 * i] ?? {}) as Record<string, string | number> | null;
      const ms = ((replies[2 * i + 1] ?? []) as (string | number)[]).map(Number).sort((a, b) => a - b);
      return {
        minute: new Date(m * 60_000).toISOString(),
        requests: Number(counts?.requests ?? 0),
        serverErrors: Number(counts?.serverErrors ?? 0),
        context: { count: ms.length, p50Ms: percentile(ms, 0.5), p95Ms: percentile(ms, 0.95) },
      };
    });
  }
}
