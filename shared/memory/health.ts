/**
 * Per-tier health as the memory sees it in real traffic: latency of recent operations, the last
 * error, and whether the last operation succeeded. Bounded memory: a ring of recent samples per tier.
 */
import type { TierName } from "../config/index.js";

export interface TierHealth {
  tier: TierName;
  enabled: boolean;
  /** Last operation (or connectivity test) succeeded; undefined before any. */
  healthy: boolean | undefined;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  samples: number;
  lastError?: string;
  lastErrorAt?: string;
  lastOkAt?: string;
}

const ringSize = 256;

export class TierHealthTracker {
  private readonly state = new Map<
    TierName,
    {
      samples: number[];
      next: number;
      healthy?: boolean;
      lastError?: string;
      lastErrorAt?: string;
      lastOkAt?: string;
    }
  >();

  constructor(private readonly enabled: Record<TierName, boolean>) {}

  record(tier: TierName, ms: number, error?: unknown): void {
    const s = this.slot(tier);
    if (s.samples.length < ringSize) s.samples.push(ms);
    else s.samples[s.next] = ms;
    s.next = (s.next + 1) % ringSize;
    const now = new Date().toISOString();
    if (error === undefined) {
      s.healthy = true;
      s.lastOkAt = now;
    } else {
      s.healthy = false;
      s.lastError = error instanceof Error ? error.message : String(error);
      s.lastErrorAt = now;
    }
  }

  /** Times `work` and records its outcome for `tier`. */
  async track<T>(tier: TierName, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.record(tier, performance.now() - started);
      return result;
    } catch (error) {
      this.record(tier, performance.now() - started, error);
      throw error;
    }
  }

  snapshot(): TierHealth[] {
    return (Object.keys(this.enabled) as TierName[]).map((tier) => {
      const s = this.slot(tier);
      const sorted = [...s.samples].sort((a, b) => a - b);
      return {
        tier,
        enabled: this.enabled[tier],
        healthy: this.enabled[tier] ? s.healthy : undefined,
        p50Ms: percentile(sorted, 0.5),
        p95Ms: percentile(sorted, 0.95),
        samples: sorted.length,
        lastError: s.lastError,
        lastErrorAt: s.lastErrorAt,
        lastOkAt: s.lastOkAt,
      };
    });
  }

  private slot(tier: TierName) {
    let s = this.state.get(tier);
    if (!s) {
      s = { samples: [], next: 0 };
      this.state.set(tier, s);
    }
    return s;
  }
}

export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const value = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return Math.round(value * 100) / 100;
}
