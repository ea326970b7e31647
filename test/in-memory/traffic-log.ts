/** In-memory test double of the TrafficLog port (shared/tiers/traffic-log.ts): counts and latencies per minute. */
import {
  latenciesPerMinute,
  type TrafficEntry,
  type TrafficLog,
  type TrafficMinute,
} from "../../shared/tiers/traffic-log.js";
import { percentile } from "../../shared/util/stats.js";

interface Minute {
  requests: number;
  serverErrors: number;
  /** Newest first, at most latenciesPerMinute. */
  latencies: number[];
}

export class InMemoryTrafficLog implements TrafficLog {
  readonly #minutes = new Map<number, Minute>();

  async record(entries: readonly TrafficEntry[]): Promise<void> {
    for (const entry of entries) {
      const m = Math.floor(entry.at / 60_000);
      const minute = this.#minutes.get(m) ?? { requests: 0, serverErrors: 0, latencies: [] };
      this.#minutes.set(m, minute);
      minute.requests++;
      if (entry.status >= 500) minute.serverErrors++;
      if (entry.context) {
        minute.latencies.unshift(Math.round(entry.durationMs * 10) / 10);
        minute.latencies.length = Math.min(minute.latencies.length, latenciesPerMinute);
      }
    }
  }

  async read(minutes: number, now = Date.now()): Promise<TrafficMinute[]> {
    const last = Math.floor(now / 60_000);
    return Array.from({ length: minutes }, (_, i) => {
      const m = last - minutes + 1 + i;
      const minute = this.#minutes.get(m);
      const ms = [...(minute?.latencies ?? [])].sort((a, b) => a - b);
      return {
        minute: new Date(m * 60_000).toISOString(),
        requests: minute?.requests ?? 0,
        serverErrors: minute?.serverErrors ?? 0,
        context: { count: ms.length, p50Ms: percentile(ms, 0.5), p95Ms: percentile(ms, 0.95) },
      };
    });
  }
}
