/**
 * Runs a migration's batches: each reads its page of the legacy store, plans every record, and
 * commits the new exchanges with their outbox rows and its checkpoint in one transaction (a dry run
 * only counts what exists). Batches run `concurrency` at a time and are retried with backoff.
 */
import pLimit from "p-limit";
import type { ProjectionTier } from "../domain/types.js";
import type { MigrationRuns, NewExchange } from "../tiers/postgres/migration-runs.js";
import type { LegacyChromaSource } from "./legacy-source.js";
import { legacyCollections } from "./legacy-source.js";
import { globalFactsUser, planRecord } from "./plan.js";
import { type BatchReport, emptyBatchReport } from "./reports.js";
import { type BatchRef, batchKey, type MigrationProgress, type RunOptions } from "./types.js";

const attemptsPerBatch = 3;

/** Every batch of a run, in a fixed order: batch i is the same records on every attempt. */
export function batchesOf(options: RunOptions): BatchRef[] {
  return legacyCollections.flatMap((collection) =>
    Array.from({ length: Math.ceil(options.sourceCounts[collection] / options.batchSize) }, (_, index) => ({
      collection,
      index,
      offset: index * options.batchSize,
    })),
  );
}

export interface BatchRun {
  runId: string | null;
  options: RunOptions;
  /** Batches committed before (a resume): counted in progress, not redone. */
  done: ReadonlyMap<string, BatchReport>;
  concurrency: number;
  onBatch?: (batch: string, report: BatchReport) => void;
  onProgress?: (progress: MigrationProgress) => void;
}

export class BatchRunner {
  constructor(
    private readonly runs: MigrationRuns,
    private readonly source: LegacyChromaSource,
    private readonly projections: readonly ProjectionTier[],
  ) {}

  async run(todo: readonly BatchRef[], run: BatchRun) {
    const started = performance.now();
    const reports = new Map<string, BatchReport>();
    const failed: { batch: string; error: string }[] = [];
    const { options, done } = run;
    const recordsTotal = options.sourceCounts.user_memories + options.sourceCounts.global_facts;
    const batchesTotal = batchesOf(options).length;
    let recordsDone = [...done.values()].reduce((n, r) => n + r.seen, 0);
    let records = 0;
    const limit = pLimit(run.concurrency);
    await Promise.all(
      todo.map((b) =>
        limit(async () => {
          try {
            const report = await withRetries(() => this.migrateBatch(run.runId, options, b));
            reports.set(batchKey(b), report);
            recordsDone += report.seen;
            records += report.seen;
            run.onBatch?.(batchKey(b), report);
          } catch (error) {
            failed.push({
              batch: batchKey(b),
              error: error instanceof Error ? error.message : String(error),
            });
          }
          const rate = records / Math.max((performance.now() - started) / 1000, 0.001);
          run.onProgress?.({
            runId: run.runId,
            batchesDone: done.size + reports.size,
            batchesTotal,
            recordsDone,
            recordsTotal,
            recordsPerSecond: Math.round(rate),
            etaSeconds: rate > 0 ? Math.round((recordsTotal - recordsDone) / rate) : null,
          });
        }),
      ),
    );
    return { reports, failed, records };
  }

  /** One batch; without a run id (dry run) it writes nothing and counts what already exists. */
  private async migrateBatch(runId: string | null, options: RunOptions, ref: BatchRef): Promise<BatchReport> {
    const records = await this.source.page(ref.collection, ref.offset, options.batchSize);
    const report = emptyBatchReport();
    const wanted = options.users ? new Set(options.users) : undefined;
    const exchanges: NewExchange[] = [];
    const migratedAt = new Date();
    for (const record of records) {
      report.seen++;
      const plan = planRecord(record, { tenant: options.tenant, migratedAt });
      if (wanted && !wanted.has(plan.legacyUserId ?? globalFactsUser)) {
        report.filtered++;
        continue;
      }
      report.byKind[plan.kind] = (report.byKind[plan.kind] ?? 0) + 1;
      if ("skip" in plan) report.skipped.push({ id: record.id, reason: plan.skip });
      else exchanges.push(plan.exchange);
    }
    if (!runId) {
      const present = await this.runs.byKeys(
        exchanges.map((e) => ({ userId: e.userId, key: e.idempotencyKey })),
      );
      return { ...report, existing: present.length, migrated: exchanges.length - present.length };
    }
    const inserted = await this.runs.commitBatch(
      { runId, collection: ref.collection, index: ref.index },
      exchanges,
      (n) => ({ ...report, migrated: n, existing: exchanges.length - n }),
      this.projections,
    );
    if (inserted === undefined) {
      // An earlier attempt committed this batch: report what it recorded.
      const recorded = (await this.runs.doneBatches<BatchReport>(runId)).get(batchKey(ref));
      return recorded ?? report;
    }
    return { ...report, migrated: inserted.length, existing: exchanges.length - inserted.length };
  }
}

async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attemptsPerBatch) throw error;
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}
