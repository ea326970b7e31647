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

  async record(entries: readonly TrafficEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const p = this.#redis.pipeline();
    for (const [minute, served] of Map.groupBy(entries, (e) => Math.floor(e.at / 60_000))) {
      const { counts, latencies } = this.#keys(minute);
      p.hincrby(counts, "requests", served.length);
      const serverErrors = served.filter((e) => e.status >= 500).length;
      if (serverErrors > 0) p.hincrby(counts, "serverErrors", serverErrors);
      p.expire(counts, trafficKeepSeconds);
      const ms = served.filter((e) => e.context).map((e) => Math.round(e.durationMs * 10) / 10);
      if (ms.length > 0) {
        p.lpush(latencies, ...ms);
        p.ltrim(latencies, 0, latenciesPerMinute - 1);
        p.expire(latencies, trafficKeepSeconds);
      }
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
