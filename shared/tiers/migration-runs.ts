/**
 * Port: migration runs and their checkpoints. A batch's exchanges, their outbox rows and the batch's
 * checkpoint commit together, so after a crash a batch is either wholly done and recorded, or not at
 * all; resuming redoes exactly the unrecorded batches. Run ids are UUIDs; a batch belongs to a run
 * that exists. Implemented by PostgresMigrationRuns.
 */

import type { RunState } from "../domain/runs.js";
import type { ProjectionTier } from "../domain/tiers.js";
import type { Exchange } from "../domain/types.js";
import type { NewExchange } from "./archive.js";

export type { RunState };

export interface MigrationRun {
  id: string;
  state: RunState;
  /** As the run was started with (JSON); the migration parses it. */
  options: Record<string, unknown>;
  integrity: Record<string, unknown> | null;
  error: string | null;
  startedAt: Date;
  updatedAt: Date;
}

/** A run with what its committed batches add up to, for progress. */
export interface RunSummary {
  run: MigrationRun;
  batchesDone: number;
  /** Legacy records the committed batches read. */
  recordsDone: number;
  /** Records the committed batches could not migrate, and the commonest reasons. */
  unmigratable: number;
  reasons: { reason: string; count: number }[];
  lastBatchAt: Date | null;
}

/** What a batch's checkpoint must hold for progress (the migration's batch report has more). */
export interface BatchCheckpoint {
  /** Legacy records the batch read. */
  seen: number;
  /** Records it could not migrate, each with its reason. */
  skipped: readonly { id: string; reason: string }[];
}

/** What a batch commit wrote, and what it left out because the user, or that exchange, was erased. */
export interface BatchWritten {
  inserted: number;
  erased: number;
}

export interface BatchRef {
  runId: string;
  collection: string;
  index: number;
}

export interface MigrationRunStore {
  create(id: string, options: Record<string, unknown>): Promise<void>;
  get(id: string): Promise<MigrationRun | undefined>;
  /** Newest first; migrations only (a bulk import is a run too, listed by the ImportStore). */
  list(limit?: number): Promise<MigrationRun[]>;
  setState(
    id: string,
    state: RunState,
    extra?: { integrity?: Record<string, unknown>; error?: string | null },
  ): Promise<void>;
  /** Reports (JSON) of the batches this run has committed, by `collection:index`. */
  doneBatches(runId: string): Promise<Map<string, unknown>>;
  /**
   * Writes the batch's exchanges not already in the archive (by user and idempotency key) and not of
   * an erased user (a tombstone: see Erasures), their outbox rows and the checkpoint with
   * `report(written)`, all or nothing. An erase of one of its users commits wholly before or after
   * it, never between the tombstone check and the insert. Returns what it inserted, or undefined when
   * the batch was already committed (by an earlier attempt that did finish).
   */
  commitBatch(
    batch: BatchRef,
    exchanges: readonly NewExchange[],
    report: (written: BatchWritten) => BatchCheckpoint,
    projections: readonly ProjectionTier[],
  ): Promise<Exchange[] | undefined>;
  /** Users after `after` (in id order) with exchanges of this run still waiting in the tier's outbox. */
  usersWithPending(runId: string, tier: ProjectionTier, after: string, limit: number): Promise<string[]>;
  /** These users' exchanges of this run still waiting in the tier's outbox, by user then ordinal. */
  unprojected(runId: string, tier: ProjectionTier, users: readonly string[]): Promise<Exchange[]>;
  /** Users this run wrote exchanges for. */
  usersOf(runId: string): Promise<string[]>;
  /**
   * Deletes what the run wrote for one user (exchanges, with their outbox rows) and the user's
   * summaries, which are rebuilt from what remains; the user goes when nothing remains. Returns the
   * exchanges left.
   */
  removeRunFromUser(runId: string, userId: string): Promise<number>;
  /**
   * An erased user's ids (`userId` is the stored `<tenant>/<id>`) leave the tenant's runs: the user
   * filter a run was started with (a resume then leaves them out) and the failures of its integrity
   * report that name them.
   */
  forgetUser(userId: string): Promise<void>;
  /** The archived exchanges for these (user, idempotency key) pairs. */
  byKeys(pairs: readonly { userId: string; key: string }[]): Promise<Exchange[]>;
  /** The newest migration runs (not imports) with their committed batches' totals. */
  summaries(limit: number): Promise<RunSummary[]>;
}
