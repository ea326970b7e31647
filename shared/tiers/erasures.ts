/**
 * Port: erasure as a durable job. Erasing a user (Archive.eraseUser) commits, with the archive's
 * delete, a tombstone (a hash of the user id: no id is kept) and one task per projection tier. The
 * tasks are worked until the tier is clean, then once more (the final pass) after projections that
 * were in flight at the erase can have finished. Deleting one exchange or note
 * (Archive.deleteExchange) queues the same tasks for that exchange only. Implemented by PostgresErasures.
 */
import { createHash } from "node:crypto";
import type { ProjectionTier } from "../domain/tiers.js";

export interface EraseTask {
  userId: string;
  tier: ProjectionTier;
  /** The pass after in-flight projections can have finished; when it is done, so is the task. */
  final: boolean;
  attempts: number;
  /** Set for an exchange-level task: only this exchange (or note) of the user is to be erased. */
  exchangeId?: string;
  /** With exchangeId: the summary window that held it. */
  windowIndex?: number;
}

export interface Erasures {
  /**
   * Claims up to `limit` due tasks (optionally one user's, or one exchange's) for `leaseMs`,
   * counting an attempt.
   */
  claim(
    limit: number,
    leaseMs: number,
    only?: { userId?: string; exchangeId?: string },
  ): Promise<EraseTask[]>;
  /** The tier is clean: a first pass schedules the final one after `finalPassAfterMs`; the final pass ends the task. */
  done(task: EraseTask, finalPassAfterMs: number): Promise<void>;
  /** Backs the task off like an outbox row (1 s, 2 s, 4 s ... capped at 5 minutes). */
  fail(task: EraseTask, error: string): Promise<void>;
  /** Tasks not yet ended, per tier (due or not). */
  pending(): Promise<Record<ProjectionTier, number>>;
  /** Makes every task due now (after a tier is back, an operator need not wait out the backoff). */
  releaseAll(): Promise<void>;
  /** Which of these users were ever erased. */
  erased(userIds: readonly string[]): Promise<Set<string>>;
}

/** What a tombstone keeps of a user id: its SHA-256, enough to recognize it, not to read it. */
export const tombstoneOf = (userId: string) => createHash("sha256").update(userId).digest();
