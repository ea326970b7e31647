/**
 * Traffic for the operator console: per minute, requests and server errors, and the latencies of
 * context assembly, kept in Redis for two hours (bounded: at most 1,000 latencies a minute).
 * Recording never delays a request and a Redis outage only leaves a gap in the chart.
 */
import type { Redis } from "@upstash/redis";
import { percentile } from "../memory/health.js";

const keepSeconds = 2 * 60 * 60;
const latenciesPerMinute = 1000;

export interface TrafficMinute {
  /** Start of the minute, ISO 8601. */
  minute: string;
  requests: number;
  serverErrors: number;
  context: { count: number; p50Ms?: number; p95Ms?: number };
}

export class TrafficRecorder {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keys(minute: number) {
    return { counts: `${this.prefix}console:t:${minute}`, latencies: `${this.prefix}console:l:${minute}` };
  }

  /** Fire and forget: the caller does not wait for Redis. */
  record(entry: { status: number; durationMs: number; context: boolean }, at = Date.now()): void {
    const { counts, latencies } = this.keys(Math.floor(at / 60_000));
    const p = this.redis.pipeline();
    p.hincrby(counts, "requests", 1);
    if (entry.status >= 500) p.hincrby(counts, "serverErrors", 1);
    p.expire(counts, keepSeconds);
    if (entry.context) {
      p.lpush(latencies, Math.round(entry.durationMs * 10) / 10);
      p.ltrim(latencies, 0, latenciesPerMinute - 1);
      p.expire(latencies, keepSeconds);
    }
    p.exec().catch(() => undefined);
  }

  /** The last `minutes` minutes, oldest first, with empty minutes included. */
  async read(minutes: number, now = Date.now()): Promise<TrafficMinute[]> {
    const last = Math.floor(now / 60_000);
    const span = Array.from({ length: minutes }, (_, i) => last - minutes + 1 + i);
    const p = this.redis.pipeline();
    for (const m of span) {
      const { counts, latencies } = this.keys(m);
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
