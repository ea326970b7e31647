/**
 * HierarchicalMigrationManager: brings the legacy ChromaDB into the four tiers. The legacy store is
 * read in fixed batches (collection, offset); each batch commits its exchanges, their outbox rows
 * and its checkpoint in one Postgres transaction, then projects them to Redis, Chroma and Neo4j in
 * bulk (what fails there stays in the outbox for the reconciler). Ids derive from legacy ids, so a
 * re-run, a retried batch or a resume after a crash never writes anything twice.
 */
import { EventEmitter } from "node:events";
import pLimit from "p-limit";
import type { Config } from "../config/index.js";
import type { Exchange, ProjectionTier } from "../domain/types.js";
import type { HierarchicalMemoryManager } from "../memory/manager.js";
import { createChromaClient } from "../tiers/chroma/client.js";
import { MigrationRuns, type NewExchange, type RunState } from "../tiers/postgres/migration-runs.js";
import { type IntegrityReport, validateIntegrity } from "./integrity.js";
import { LegacyChromaSource, type LegacyCollection, legacyCollections } from "./legacy-source.js";
import { globalFactsUser, planRecord } from "./plan.js";
import { type BatchReport, emptyBatchReport, type RunTotals, sumReports } from "./reports.js";

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
  /** Projection work left in the outbox (a tier was down); the reconciler finishes it. */
  pendingProjections: number;
  durationMs: number;
  recordsPerSecond: number;
}

interface BatchRef {
  collection: LegacyCollection;
  index: number;
  offset: number;
}

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

const batchKey = (b: Pick<BatchRef, "collection" | "index">) => `${b.collection}:${b.index}`;
const attemptsPerBatch = 3;

export class HierarchicalMigrationManager extends EventEmitter<{
  progress: [MigrationProgress];
  batch: [{ runId: string | null; batch: string; report: BatchReport }];
}> {
  readonly runs: MigrationRuns;

  constructor(
    readonly memory: HierarchicalMemoryManager,
    readonly source: LegacyChromaSource,
    readonly config: Config["migration"],
  ) {
    super();
    const pool = memory.clients.postgres;
    if (!pool)
      throw new MigrationError("unavailable", "Migration needs Postgres (Tier 2), which is disabled");
    this.runs = new MigrationRuns(pool);
  }

  static fromConfig(config: Config, memory: HierarchicalMemoryManager): HierarchicalMigrationManager {
    const legacy = createChromaClient({
      ...config.chroma,
      url: config.migration.legacyUrl,
      apiKey: config.migration.legacyApiKey,
    });
    return new HierarchicalMigrationManager(memory, new LegacyChromaSource(legacy), config.migration);
  }

  migrateAllConversations(options: Omit<MigrationOptions, "users"> = {}): Promise<MigrationReport> {
    return this.start({ ...options, users: undefined });
  }

  migrateSpecificUsers(users: readonly string[], options: MigrationOptions = {}): Promise<MigrationReport> {
    if (users.length === 0)
      throw new MigrationError("invalid", "migrateSpecificUsers needs at least one user id");
    return this.start({ ...options, users });
  }

  /** Continues a run after a crash or a failed batch: committed batches are not redone. */
  async resume(runId: string, options: Pick<MigrationOptions, "concurrency"> = {}): Promise<MigrationReport> {
    const runOptions = await this.reopen(runId);
    return this.execute(runId, runOptions, options.concurrency ?? this.config.concurrency, false);
  }

  validateMigrationIntegrity(runId: string, options: { sampleSize?: number } = {}): Promise<IntegrityReport> {
    return validateIntegrity(this, runId, options.sampleSize ?? 100);
  }

  /** Removes exactly what the run wrote, from every tier; other data of the same users stays. */
  async rollbackMigration(runId: string): Promise<{ users: number; usersRemoved: number }> {
    const run = await this.runs.get(runId);
    if (!run) throw new MigrationError("not-found", `No migration run ${runId}`);
    const users = await this.runs.usersOf(runId);
    const limit = pLimit(this.config.concurrency);
    let usersRemoved = 0;
    await Promise.all(
      users.map((userId) =>
        limit(async () => {
          const left = await this.runs.removeRunFromUser(runId, userId);
          if (left === 0) {
            usersRemoved++;
            await this.memory.deleteUser(userId);
          } else await this.memory.rebuildUser(userId, this.memory.projections);
        }),
      ),
    );
    await this.runs.setState(runId, "rolled_back");
    return { users: users.length, usersRemoved };
  }

  private async start(options: MigrationOptions): Promise<MigrationReport> {
    const runOptions = await this.newRunOptions(options);
    const concurrency = options.concurrency ?? this.config.concurrency;
    if (options.dryRun) return this.execute(null, runOptions, concurrency, true);
    const runId = crypto.randomUUID();
    await this.runs.create(runId, runOptions as unknown as Record<string, unknown>);
    return this.execute(runId, runOptions, concurrency, false);
  }

  private async newRunOptions(options: Pick<MigrationOptions, "users" | "batchSize">): Promise<RunOptions> {
    return {
      tenant: this.config.tenant,
      users: options.users ? [...new Set(options.users)].sort() : null,
      batchSize: options.batchSize ?? this.config.batchSize,
      sourceCounts: await this.sourceCounts(),
    };
  }

  /** Checks that a run can resume (not rolled back, legacy store unchanged) and marks it running. */
  private async reopen(runId: string): Promise<RunOptions> {
    const run = await this.runs.get(runId);
    if (!run) throw new MigrationError("not-found", `No migration run ${runId}`);
    if (run.state === "rolled_back")
      throw new MigrationError("conflict", `Run ${runId} was rolled back; start a new run`);
    const runOptions = run.options as unknown as RunOptions;
    const counts = await this.sourceCounts();
    for (const c of legacyCollections)
      if (counts[c] !== runOptions.sourceCounts[c])
        throw new MigrationError(
          "conflict",
          `The legacy ${c} collection holds ${counts[c]} records, ${runOptions.sourceCounts[c]} when run ${runId} started: batches would not line up; start a new run (it skips what is already migrated)`,
        );
    await this.runs.setState(runId, "running", { error: null });
    return runOptions;
  }

  private async sourceCounts(): Promise<Record<LegacyCollection, number>> {
    const [memories, facts] = await Promise.all(legacyCollections.map((c) => this.source.count(c)));
    return { user_memories: memories ?? 0, global_facts: facts ?? 0 };
  }

  /** Every batch of a run, in a fixed order: batch i is the same records on every attempt. */
  batchesOf(options: RunOptions): BatchRef[] {
    return legacyCollections.flatMap((collection) =>
      Array.from({ length: Math.ceil(options.sourceCounts[collection] / options.batchSize) }, (_, index) => ({
        collection,
        index,
        offset: index * options.batchSize,
      })),
    );
  }

  /**
   * For an orchestrator (Step Functions): starts a run, or reopens one to resume it, and says how
   * many batches it has. The batches are then migrated by index range, and the run finished.
   */
  async planRun(
    options: Omit<MigrationOptions, "dryRun" | "concurrency"> & { resumeRunId?: string },
  ): Promise<{ runId: string; batches: number }> {
    if (options.resumeRunId) {
      const options_ = await this.reopen(options.resumeRunId);
      return { runId: options.resumeRunId, batches: this.batchesOf(options_).length };
    }
    const runOptions = await this.newRunOptions(options);
    const runId = crypto.randomUUID();
    await this.runs.create(runId, runOptions as unknown as Record<string, unknown>);
    return { runId, batches: this.batchesOf(runOptions).length };
  }

  /** Migrates batches [from, to) of a run that are not committed yet; throws if one still fails after retries. */
  async migrateBatchRange(
    runId: string,
    from: number,
    to: number,
    concurrency = this.config.concurrency,
  ): Promise<{ migrated: number; skippedAsDone: number }> {
    const run = await this.runs.get(runId);
    if (!run) throw new MigrationError("not-found", `No migration run ${runId}`);
    if (run.state !== "running")
      throw new MigrationError("conflict", `Run ${runId} is ${run.state}, not running`);
    const options = run.options as unknown as RunOptions;
    const done = await this.runs.doneBatches<BatchReport>(runId);
    const range = this.batchesOf(options).slice(from, to);
    const todo = range.filter((b) => !done.has(batchKey(b)));
    const { reports, failed } = await this.runBatches(runId, options, todo, concurrency, false, done);
    if (failed.length > 0)
      throw new Error(
        `${failed.length} of ${todo.length} batches failed: ${failed[0]?.batch}: ${failed[0]?.error}`,
      );
    return { migrated: reports.size, skippedAsDone: range.length - todo.length };
  }

  /** Projects what is still pending and closes the run: completed when every batch is committed. */
  async finishRun(runId: string): Promise<MigrationReport> {
    const started = performance.now();
    const run = await this.runs.get(runId);
    if (!run) throw new MigrationError("not-found", `No migration run ${runId}`);
    const options = run.options as unknown as RunOptions;
    const done = await this.runs.doneBatches<BatchReport>(runId);
    const batches = this.batchesOf(options);
    const missing = batches
      .filter((b) => !done.has(batchKey(b)))
      .map((b) => ({ batch: batchKey(b), error: "not committed" }));
    return this.close(runId, options, done, batches.length, done.size, missing, 0, started);
  }

  private async execute(
    runId: string | null,
    options: RunOptions,
    concurrency: number,
    dryRun: boolean,
  ): Promise<MigrationReport> {
    const started = performance.now();
    const batches = this.batchesOf(options);
    const done = runId ? await this.runs.doneBatches<BatchReport>(runId) : new Map<string, BatchReport>();
    const todo = batches.filter((b) => !done.has(batchKey(b)));
    const { reports, failed, records } = await this.runBatches(
      runId,
      options,
      todo,
      concurrency,
      dryRun,
      done,
    );
    const all = new Map([...done, ...reports]);
    if (!runId)
      return {
        runId,
        dryRun,
        state: "dry-run",
        options,
        records: sumReports(all.values()),
        batches: { total: batches.length, done: all.size, resumed: 0, failed },
        pendingProjections: 0,
        durationMs: Math.round(performance.now() - started),
        recordsPerSecond: Math.round((records / Math.max(performance.now() - started, 1)) * 1000),
      };
    return this.close(runId, options, all, batches.length, done.size, failed, records, started);
  }

  private async close(
    runId: string,
    options: RunOptions,
    reports: ReadonlyMap<string, BatchReport>,
    total: number,
    resumed: number,
    failed: { batch: string; error: string }[],
    records: number,
    started: number,
  ): Promise<MigrationReport> {
    await this.finishProjections(runId);
    const state = failed.length > 0 ? "failed" : "completed";
    const error =
      failed.length > 0 ? `${failed.length} batch(es) failed; resume the run to retry them` : null;
    await this.runs.setState(runId, state, { error });
    const durationMs = Math.round(performance.now() - started);
    return {
      runId,
      dryRun: false,
      state,
      options,
      records: sumReports(reports.values()),
      batches: { total, done: reports.size, resumed, failed },
      pendingProjections: await this.pendingProjections(),
      durationMs,
      recordsPerSecond: Math.round((records / Math.max(durationMs, 1)) * 1000),
    };
  }

  /** Migrates these batches, `concurrency` at a time, each retried; reports progress as they finish. */
  private async runBatches(
    runId: string | null,
    options: RunOptions,
    todo: readonly BatchRef[],
    concurrency: number,
    dryRun: boolean,
    done: ReadonlyMap<string, BatchReport>,
  ) {
    const started = performance.now();
    const reports = new Map<string, BatchReport>();
    const failed: { batch: string; error: string }[] = [];
    const recordsTotal = options.sourceCounts.user_memories + options.sourceCounts.global_facts;
    const batchesTotal = this.batchesOf(options).length;
    let recordsDone = [...done.values()].reduce((n, r) => n + r.seen, 0);
    let records = 0;
    const limit = pLimit(concurrency);
    await Promise.all(
      todo.map((b) =>
        limit(async () => {
          try {
            const report = await this.withRetries(() => this.migrateBatch(runId, options, b, dryRun));
            reports.set(batchKey(b), report);
            recordsDone += report.seen;
            records += report.seen;
            this.emit("batch", { runId, batch: batchKey(b), report });
          } catch (error) {
            failed.push({
              batch: batchKey(b),
              error: error instanceof Error ? error.message : String(error),
            });
          }
          const rate = records / Math.max((performance.now() - started) / 1000, 0.001);
          this.emit("progress", {
            runId,
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

  private async withRetries<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= attemptsPerBatch) throw error;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  /** One batch: read, plan every record, commit what is new with the checkpoint, project in bulk. */
  private async migrateBatch(
    runId: string | null,
    options: RunOptions,
    ref: BatchRef,
    dryRun: boolean,
  ): Promise<BatchReport> {
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
    if (dryRun || !runId) {
      const present = await this.runs.byKeys(
        exchanges.map((e) => ({ userId: e.userId, key: e.idempotencyKey })),
      );
      report.existing = present.length;
      report.migrated = exchanges.length - present.length;
      return report;
    }
    const inserted = await this.runs.commitBatch(
      { runId, collection: ref.collection, index: ref.index },
      exchanges,
      (n) => ({ ...report, migrated: n, existing: exchanges.length - n }),
      this.memory.projections,
    );
    if (inserted === undefined) {
      // An earlier attempt committed this batch: report what it recorded.
      const recorded = (await this.runs.doneBatches<BatchReport>(runId)).get(batchKey(ref));
      return recorded ?? report;
    }
    await this.memory.bulk.apply(inserted, this.memory.projections);
    return { ...report, migrated: inserted.length, existing: exchanges.length - inserted.length };
  }

  /**
   * Projects this run's exchanges whose outbox rows are still there: a batch whose process died
   * after its commit, or a tier that failed during the run. What still fails stays for the reconciler.
   */
  private async finishProjections(runId: string): Promise<void> {
    for (;;) {
      const pending = await this.runs.unprojected(runId, 1000);
      if (pending.length === 0) return;
      const byTier = new Map<ProjectionTier, Exchange[]>();
      for (const { exchange, tiers } of pending)
        for (const tier of tiers) byTier.set(tier, [...(byTier.get(tier) ?? []), exchange]);
      let progressed = false;
      for (const [tier, exchanges] of byTier) {
        const report = await this.memory.bulk.apply(exchanges, [tier]);
        progressed ||= report.applied.length > 0;
      }
      if (!progressed) return;
    }
  }

  private async pendingProjections(): Promise<number> {
    const backlog = await this.memory.stores.outbox?.backlog().catch(() => undefined);
    return backlog ? Object.values(backlog).reduce((a, b) => a + b, 0) : 0;
  }
}
