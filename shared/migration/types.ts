/** The migration's options, progress and report shapes, and its one error class. */
import type { RunState } from "../tiers/postgres/migration-runs.js";
import type { LegacyCollection } from "./legacy-source.js";
import type { RunTotals } from "./reports.js";

export interface MigrationOptions {
  /** Read, classify and count; write nothing to any tier. */
  dryRun?: boolean;
  /** Legacy user ids to migrate (global facts: "_global"); default: everyone. */
  users?: readonly string[];
  batchSize?: number;
  concurrency?: number;
}

/** What a run was started with; a resume reuses it, so batch N is the same records. */
export interface RunOptions {
  tenant: string;
  users: string[] | null;
  batchSize: number;
  /** Legacy record counts at the start: a resume refuses a legacy store that changed since. */
  sourceCounts: Record<LegacyCollection, number>;
}

export interface MigrationProgress {
  runId: string | null;
  batchesDone: number;
  batchesTotal: number;
  recordsDone: number;
  recordsTotal: number;
  recordsPerSecond: number;
  etaSeconds: number | null;
}

export interface MigrationReport {
  runId: string | null;
  dryRun: boolean;
  state: RunState | "dry-run";
  options: RunOptions;
  records: RunTotals;
  batches: { total: number; done: number; resumed: number; failed: { batch: string; error: string }[] };
  /** True when the run stopped at its time budget with projections left: finish it again. */
  projectionsRemaining: boolean;
  /** Projection work left in the outbox (a tier was down); the reconciler finishes it. */
  pendingProjections: number;
  durationMs: number;
  recordsPerSecond: number;
}

/** One batch of the legacy store: `batchSize` records of a collection from `offset`. */
export interface BatchRef {
  collection: LegacyCollection;
  index: number;
  offset: number;
}

export const batchKey = (b: Pick<BatchRef, "collection" | "index">) => `${b.collection}:${b.index}`;

/** A migration request that cannot proceed, with what to do about it. */
export class MigrationError extends Error {
  constructor(
    readonly code: "invalid" | "not-found" | "conflict" | "unavailable",
    message: string,
  ) {
    super(message);
    this.name = "MigrationError";
  }
}
