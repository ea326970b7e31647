/**
 * Port: the outbox, one row per (exchange, projection tier) still to apply, written with the
 * exchange. Rows are claimed with a lease (a crashed worker's rows come back), deleted when applied,
 * and pushed back with exponential backoff when the tier fails. Implemented by PostgresOutbox.
 */

import type { ProjectionTier } from "../domain/tiers.js";
import type { OutboxItem } from "../domain/types.js";

/** Which due rows a claim may take: all when nothing is given. */
export interface OutboxSelection {
  exchangeId?: string;
  exchangeIds?: readonly string[];
  tiers?: readonly ProjectionTier[];
}

export interface Outbox {
  /**
   * Claims up to `limit` due rows, oldest first (optionally of one exchange, of some exchanges, or of
   * some tiers), for `leaseMs`.
   */
  claim(limit: number, leaseMs: number, only?: OutboxSelection): Promise<OutboxItem[]>;
  complete(ids: readonly number[]): Promise<void>;
  /** Marks these exchanges' rows for one tier done (after a bulk projection applied them). */
  completeFor(exchangeIds: readonly string[], tier: ProjectionTier): Promise<void>;
  /** Backs the row off: 1 s, 2 s, 4 s ... by attempt, capped at 5 minutes. */
  fail(id: number, attempts: number, error: string): Promise<void>;
  /** Rows still to apply, per tier (due or not). */
  backlog(): Promise<Record<ProjectionTier, number>>;
  /** Makes every row (of one tier) due now. */
  releaseAll(tier?: ProjectionTier): Promise<void>;
}

/** The backoff of a failed row: 1 s, 2 s, 4 s ... capped at 5 minutes. */
export const retryDelayMs = (attempts: number) => Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
