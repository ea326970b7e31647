/**
 * Runs a migration's batches: each reads its page of the legacy store, plans every record, and
 * commits the new exchanges with their outbox rows and its checkpoint in one transaction (a dry run
 * only counts what exists). Records of an erased user are never written again, only counted. Batches run `concurrency` at a time and are retried with backoff.
 */
import pLimit from "p-limit";
import pRetry from "p-retry";
import type { ProjectionTier } from "../domain/tiers.js";
import { describeError } from "../errors/memory-error.js";
import type { NewExchange } from "../tiers/archive.js";
import type { Erasures } from "../tiers/erasures.js";
import { type LegacySource, legacyCollections } from "../tiers/legacy-source.js";
import type { MigrationRunStore } from "../tiers/migration-runs.js";
import { globalFactsUser, planRecord } from "./plan.js";
import { rateAndEta } from "./progress.js";
import { type BatchReport, BatchReportSchema, emptyBatchReport } from "./reports.js";
import { type BatchRef, batchKey, type MigrationOptions, type RunOptions } from "./types.js";

/** Each batch is tried this often more after a failure, 400 ms then 800 ms apart. */
const retriesPerBatch = 2;

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

/** The reports of a run's committed batches, parsed from their checkpoints. */
export async function doneBatches(runs: MigrationRunStore, runId: string): Promise<Map<string, BatchReport>> {
  const done = await runs.doneBatches(runId);
  return new Map([...done].map(([key, report]) => [key, BatchReportSchema.parse(report)]));
}

export interface BatchRun extends Pick<MigrationOptions, "onBatch" | "onProgress"> {
  runId: string | null;
  options: RunOptions;
  /** Batches committed before (a resume): counted in progress, not redone. */
  done: ReadonlyMap<string, BatchReport>;
  concurrency: number;
}

export class BatchRunner {
  readonly #runs: MigrationRunStore;
  readonly #source: LegacySource;
  readonly #projections: readonly ProjectionTier[];
  readonly #erasures: Erasures;

  constructor(
    runs: MigrationRunStore,
    source: LegacySource,
    projections: readonly ProjectionTier[],
    erasures: Erasures,
  ) {
    this.#runs = runs;
    this.#source = source;
    this.#projections = projections;
    this.#erasures = erasures;
  }

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
            const report = await pRetry(() => this.#migrateBatch(run.runId, options, b), {
              retries: retriesPerBatch,
              minTimeout: 400,
              factor: 2,
              randomize: false,
            });
            reports.set(batchKey(b), report);
            recordsDone += report.seen;
            records += report.seen;
            run.onBatch?.({ runId: run.runId, batch: batchKey(b), report });
          } catch (error) {
            failed.push({ batch: batchKey(b), error: describeError(error) });
          }
          const { recordsPerSecond } = rateAndEta(
            records,
            recordsTotal,
            (performance.now() - started) / 1000,
          );
          run.onProgress?.({
            runId: run.runId,
            batchesDone: done.size + reports.size,
            batchesTotal,
            recordsDone,
            recordsTotal,
            recordsPerSecond,
            etaSeconds:
              recordsPerSecond > 0 ? Math.round((recordsTotal - recordsDone) / recordsPerSecond) : null,
          });
        }),
      ),
    );
    return { reports, failed, records };
  }

  /** One batch; without a run id (dry run) it writes nothing and counts what already exists. */
  async #migrateBatch(runId: string | null, options: RunOptions, ref: BatchRef): Promise<BatchReport> {
    const records = await this.#source.page(ref.collection, ref.offset, options.batchSize);
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
      const erased = await this.#erasures.erased([...new Set(exchanges.map((e) => e.userId))]);
      const kept = exchanges.filter((e) => !erased.has(e.userId));
      const present = await this.#runs.byKeys(kept.map((e) => ({ userId: e.userId, key: e.idempotencyKey })));
      return {
        ...report,
        existing: present.length,
        migrated: kept.length - present.length,
        erased: exchanges.length - kept.length,
      };
    }
    let committed = report;
    const inserted = await this.#runs.commitBatch(
      { runId, collection: ref.collection, index: ref.index },
      exchanges,
      (written) => {
        committed = {
          ...report,
          migrated: written.inserted,
          erased: written.erased,
          existing: exchanges.length - written.erased - written.inserted,
        };
        return committed;
      },
      this.#projections,
    );
    // Undefined: an earlier attempt committed this batch; report what it recorded.
    if (inserted === undefined) return (await doneBatches(this.#runs, runId)).get(batchKey(ref)) ?? report;
    return committed;
  }
}
