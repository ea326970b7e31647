/**
 * Migration runs as the console shows them: state, records done of total, rate, ETA, records
 * that could not be migrated (grouped by reason) and the integrity score, all from the run and
 * batch checkpoints in Postgres, so any instance sees the same progress.
 */
import type { Pool } from "@neondatabase/serverless";

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

interface Row {
  id: string;
  state: RunProgress["state"];
  options: { batchSize?: number; sourceCounts?: Record<string, number> };
  integrity: { score?: number } | null;
  error: string | null;
  started_at: Date;
  batches_done: string;
  records_done: string;
  unmigratable: string;
  last_batch_at: Date | null;
}

export async function migrationProgress(pool: Pool, limit = 20, now = Date.now()): Promise<RunProgress[]> {
  const { rows } = await pool.query<Row>(
    `SELECT r.id, r.state, r.options, r.integrity, r.error, r.started_at,
            count(b.batch_index) AS batches_done,
            coalesce(sum((b.report->>'seen')::bigint), 0) AS records_done,
            coalesce(sum(jsonb_array_length(coalesce(b.report->'skipped', '[]'::jsonb))), 0) AS unmigratable,
            max(b.done_at) AS last_batch_at
       FROM migration_runs r LEFT JOIN migration_batches b ON b.run_id = r.id
      GROUP BY r.id ORDER BY r.started_at DESC LIMIT $1`,
    [limit],
  );
  const { rows: reasons } = await pool.query<{ run_id: string; reason: string; n: string }>(
    `SELECT b.run_id, s->>'reason' AS reason, count(*) AS n
       FROM migration_batches b CROSS JOIN jsonb_array_elements(coalesce(b.report->'skipped', '[]'::jsonb)) s
      WHERE b.run_id = ANY($1::uuid[]) GROUP BY b.run_id, s->>'reason' ORDER BY n DESC`,
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => {
    const done = Number(r.records_done);
    // The run reads every legacy record (a user filter skips, it does not shorten the read).
    const counts = Object.values(r.options.sourceCounts ?? {});
    const total = counts.reduce((a, b) => a + b, 0);
    const batchSize = Math.max(1, r.options.batchSize ?? 1);
    const startedAt = new Date(r.started_at).getTime();
    const lastAt = r.last_batch_at ? new Date(r.last_batch_at).getTime() : startedAt;
    const seconds = Math.max(0.001, (lastAt - startedAt) / 1000);
    const rate = done > 0 ? done / seconds : 0;
    const paused = r.state === "running" && now - lastAt > pausedAfterMs;
    return {
      id: r.id,
      state: paused ? "paused" : r.state,
      startedAt: new Date(r.started_at).toISOString(),
      recordsDone: done,
      recordsTotal: total,
      batchesDone: Number(r.batches_done),
      batchesTotal: counts.reduce((a, n) => a + Math.ceil(n / batchSize), 0),
      recordsPerSecond: Math.round(rate),
      etaSeconds:
        r.state === "running" && rate > 0 ? Math.round(Math.max(0, total - done) / rate) : undefined,
      unmigratable: Number(r.unmigratable),
      reasons: reasons
        .filter((x) => x.run_id === r.id)
        .slice(0, 5)
        .map((x) => ({ reason: x.reason, count: Number(x.n) })),
      error: r.error,
      integrityScore: r.integrity?.score,
    };
  });
}
