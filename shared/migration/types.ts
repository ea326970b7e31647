/** The migration's options, progress and report shapes; persisted shapes are zod schemas, parsed on read. */
import { z } from "zod";
import type { LegacyCollection } from "../tiers/legacy-source.js";
import type { RunState } from "../tiers/migration-runs.js";
import type { BatchReport, RunTotals } from "./reports.js";

export interface MigrationOptions {
  /** Read, classify and count; write nothing to any tier. */
  dryRun?: boolean;
  /** Legacy user ids to migrate (global facts: "_global"); default: everyone. */
  users?: readonly string[];
  batchSize?: number;
  concurrency?: number;
  /** Called after each batch and with the run's progress. */
  onBatch?: (event: { runId: string | null; batch: string; report: BatchReport }) => void;
  onProgress?: (progress: MigrationProgress) => void;
}

/** What a run was started with; a resume reuses it, so batch N is the same records. */
export const RunOptionsSchema = z.object({
  tenant: z.string(),
  users: z.array(z.string()).nullable(),
  batchSize: z.number().int().min(1),
  /** Legacy record counts at the start: a resume refuses a legacy store that changed since. */
  sourceCounts: z.object({ user_memories: z.number().int(), global_facts: z.number().int() }),
});
export type RunOptions = z.infer<typeof RunOptionsSchema> & {
  sourceCounts: Record<LegacyCollection, number>;
};

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
