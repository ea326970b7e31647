/**
 * Per-tier health as the memory sees it in real traffic: latency of recent operations, the last
 * failure (as a code: see tierFailureCode) and whether the last operation succeeded. Bounded
 * memory: a ring of recent samples per tier. A failure is logged with its cause when a tier turns
 * unhealthy or fails differently, not on every failed call of an outage.
 */
import { type TierName, tierNames } from "../domain/tiers.js";
import { describeError } from "../errors/memory-error.js";
import { tierFailureCode } from "../tiers/failures.js";
import type { Logger } from "../util/logger.js";
import { percentile } from "../util/stats.js";

export interface TierHealth {
  tier: TierName;
  enabled: boolean;
  /** Last operation (or connectivity test) succeeded; undefined before any. */
  healthy: boolean | undefined;
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  samples: number;
  /** The last failure's code ("unreachable", "timeout", ...); its details are in the log. */
  lastError?: string;
  lastErrorAt?: string;
  lastOkAt?: string;
}

const ringSize = 256;

interface Slot {
  samples: number[];
  next: number;
  healthy?: boolean;
  lastError?: string;
  lastErrorAt?: string;
  lastOkAt?: string;
}

export class TierHealthTracker {
  readonly #state = new Map<TierName, Slot>();
  readonly #enabled: Readonly<Record<TierName, boolean>>;
  readonly #logger: Logger;

  constructor(enabled: Readonly<Record<TierName, boolean>>, logger: Logger) {
    this.#enabled = enabled;
    this.#logger = logger;
  }

  isEnabled(tier: TierName): boolean {
    return this.#enabled[tier];
  }

  record(tier: TierName, ms: number, error?: unknown): void {
    const s = this.#slot(tier);
    if (s.samples.length < ringSize) s.samples.push(ms);
    else s.samples[s.next] = ms;
    s.next = (s.next + 1) % ringSize;
    const now = new Date().toISOString();
    if (error === undefined) {
      s.healthy = true;
      s.lastOkAt = now;
      return;
    }
    const code = tierFailureCode(error);
    if (s.healthy !== false || s.lastError !== code)
      this.#logger.warn("tier failed", { tier, code, cause: describeError(error) });
    s.healthy = false;
    s.lastError = code;
    s.lastErrorAt = now;
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
    return tierNames.map((tier) => {
      const s = this.#slot(tier);
      const sorted = [...s.samples].sort((a, b) => a - b);
      return {
        tier,
        enabled: this.#enabled[tier],
        healthy: this.#enabled[tier] ? s.healthy : undefined,
        p50Ms: percentile(sorted, 0.5),
        p95Ms: percentile(sorted, 0.95),
        samples: sorted.length,
        lastError: s.lastError,
        lastErrorAt: s.lastErrorAt,
        lastOkAt: s.lastOkAt,
      };
    });
  }

  #slot(tier: TierName): Slot {
    let s = this.#state.get(tier);
    if (!s) {
      s = { samples: [], next: 0 };
      this.#state.set(tier, s);
    }
    return s;
  }
}
