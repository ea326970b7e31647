/**
 * Rate, ETA and state of runs for display (the console, the CLI): pure arithmetic over records
 * done and elapsed time, so the CLI's progress and the console's agree.
 */
import type { RunSummary } from "../tiers/migration-runs.js";
import { RunOptionsSchema } from "./types.js";

/** A running run with no committed batch for this long is shown as paused (resumable). */
const pausedAfterMs = 2 * 60_000;

export interface RunProgress {
  id: string;
  state: "running" | "paused" | "completed" | "failed" | "validated" | "rolled_back";
  startedAt: string;
  recordsDone: number;
  recordsTotal: number;
  batchesDone: number;
  batchesTotal: number;
  recordsPerSecond: number;
  etaSeconds?: number;
  unmigratable: number;
  reasons: { reason: string; count: number }[];
  error: string | null;
  integrityScore?: number;
}

/** Records per second and seconds left, from what is done after `seconds`. */
export function rateAndEta(done: number, total: number, seconds: number) {
  const rate = done / Math.max(seconds, 0.001);
  return {
    recordsPerSecond: Math.round(rate),
    etaSeconds: rate > 0 ? Math.round(Math.max(0, total - done) / rate) : null,
  };
}

export function runProgress(s: RunSummary, now = Date.now()): RunProgress {
  const { run } = s;
  const options = RunOptionsSchema.partial().safeParse(run.options);
  const { batchSize = 1, sourceCounts } = options.success ? options.data : {};
  // The run reads every legacy record (a user filter skips, it does not shorten the read).
  const counts = Object.values(sourceCounts ?? {});
  const total = counts.reduce((a, b) => a + b, 0);
  const startedAt = run.startedAt.getTime();
  const lastAt = s.lastBatchAt?.getTime() ?? startedAt;
  const { recordsPerSecond, etaSeconds } = rateAndEta(s.recordsDone, total, (lastAt - startedAt) / 1000);
  const score = run.integrity?.score;
  return {
    id: run.id,
    state: run.state === "running" && now - lastAt > pausedAfterMs ? "paused" : run.state,
    startedAt: run.startedAt.toISOString(),
    recordsDone: s.recordsDone,
    recordsTotal: total,
    batchesDone: s.batchesDone,
    batchesTotal: counts.reduce((a, n) => a + Math.ceil(n / Math.max(1, batchSize)), 0),
    recordsPerSecond,
    etaSeconds: run.state === "running" && etaSeconds !== null ? etaSeconds : undefined,
    unmigratable: s.unmigratable,
    reasons: s.reasons,
    error: run.error,
    integrityScore: typeof score === "number" ? score : undefined,
  };
}
