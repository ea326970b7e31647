/**
 * HierarchicalMigrationManager: brings the legacy ChromaDB into the four tiers. The legacy store is
 * read in fixed batches; each batch commits its exchanges, their outbox rows and its checkpoint in
 * one Postgres transaction. Once the batches are in, the run's projections (Redis, Chroma, Neo4j)
 * are built user by user from the outbox. Ids derive from legacy ids, so a re-run, a retried batch
 * or a resume after a crash never writes anything twice.
 */
import { EventEmitter } from "node:events";
import pLimit from "p-limit";
import type { Config } from "../config/index.js";
import type { HierarchicalMemoryManager } from "../memory/manager.js";
import { createChromaClient } from "../tiers/chroma/client.js";
import { MigrationRuns } from "../tiers/postgres/migration-runs.js";
import { BatchRunner, batchesOf } from "./batch-runner.js";
import { type IntegrityReport, validateIntegrity } from "./integrity.js";
import { LegacyChromaSource, type LegacyCollection, legacyCollections } from "./legacy-source.js";
import { finishProjections } from "./projection-finisher.js";
import { type BatchReport, sumReports } from "./reports.js";
import {
  batchKey,
  MigrationError,
  type MigrationOptions,
  type MigrationProgress,
  type MigrationReport,
  type RunOptions,
} from "./types.js";

export type { MigrationOptions, MigrationProgress, MigrationReport, RunOptions };
export { MigrationError };

export class HierarchicalMigrationManager extends EventEmitter<{
  progress: [MigrationProgress];
  batch: [{ runId: string | null; batch: string; report: BatchReport }];
}> {
  readonly runs: MigrationRuns;
  private readonly batches: BatchRunner;

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
    this.batches = new BatchRunner(this.runs, source, memory.projections);
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
    return this.execute(runId, runOptions, options.concurrency ?? this.config.concurrency);
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

  /**
   * For an orchestrator (Step Functions): starts a run, or reopens one to resume it, and says how
   * many batches it has. The batches are then migrated by index range, and the run finished.
   */
  async planRun(
    options: Omit<MigrationOptions, "dryRun" | "concurrency"> & { resumeRunId?: string },
  ): Promise<{ runId: string; batches: number }> {
    if (options.resumeRunId)
      return {
        runId: options.resumeRunId,
        batches: batchesOf(await this.reopen(options.resumeRunId)).length,
      };
    const runOptions = await this.newRunOptions(options);
    const runId = crypto.randomUUID();
    await this.runs.create(runId, runOptions as unknown as Record<string, unknown>);
    return { runId, batches: batchesOf(runOptions).length };
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
    const range = batchesOf(options).slice(from, to);
    const todo = range.filter((b) => !done.has(batchKey(b)));
    const { reports, failed } = await this.batches.run(
      todo,
      this.batchRun(runId, options, done, concurrency),
    );
    if (failed.length > 0)
      throw new Error(
        `${failed.length} of ${todo.length} batches failed: ${failed[0]?.batch}: ${failed[0]?.error}`,
      );
    return { migrated: reports.size, skippedAsDone: range.length - todo.length };
  }

  /**
   * Builds the projections still pending and closes the run: completed when every batch is
   * committed. With a time budget it may stop early (`projectionsRemaining`); call it again.
   */
  async finishRun(runId: string, options: { budgetMs?: number } = {}): Promise<MigrationReport> {
    const run = await this.runs.get(runId);
    if (!run) throw new MigrationError("not-found", `No migration run ${runId}`);
    const runOptions = run.options as unknown as RunOptions;
    const done = await this.runs.doneBatches<BatchReport>(runId);
    const missing = batchesOf(runOptions)
      .filter((b) => !done.has(batchKey(b)))
      .map((b) => ({ batch: batchKey(b), error: "not committed" }));
    const deadline = options.budgetMs === undefined ? undefined : Date.now() + options.budgetMs;
    return this.close(
      runId,
      runOptions,
      { reports: done, resumed: done.size, failed: missing, records: 0 },
      deadline,
    );
  }

  private async start(options: MigrationOptions): Promise<MigrationReport> {
    const runOptions = await this.newRunOptions(options);
    const concurrency = options.concurrency ?? this.config.concurrency;
    if (options.dryRun) return this.execute(null, runOptions, concurrency);
    const runId = crypto.randomUUID();
    await this.runs.create(runId, runOptions as unknown as Record<string, unknown>);
    return this.execute(runId, runOptions, concurrency);
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

  private batchRun(
    runId: string | null,
    options: RunOptions,
    done: ReadonlyMap<string, BatchReport>,
    concurrency: number,
  ) {
    return {
      runId,
      options,
      done,
      concurrency,
      onBatch: (batch: string, report: BatchReport) => this.emit("batch", { runId, batch, report }),
      onProgress: (p: MigrationProgress) => this.emit("progress", p),
    };
  }

  private async execute(
    runId: string | null,
    options: RunOptions,
    concurrency: number,
  ): Promise<MigrationReport> {
    const started = performance.now();
    const all = batchesOf(options);
    const done = runId ? await this.runs.doneBatches<BatchReport>(runId) : new Map<string, BatchReport>();
    const todo = all.filter((b) => !done.has(batchKey(b)));
    const { reports, failed, records } = await this.batches.run(
      todo,
      this.batchRun(runId, options, done, concurrency),
    );
    const merged = new Map([...done, ...reports]);
    if (!runId) {
      const durationMs = Math.round(performance.now() - started);
      return {
        runId,
        dryRun: true,
        state: "dry-run",
        options,
        records: sumReports(merged.values()),
        batches: { total: all.length, done: merged.size, resumed: 0, failed },
        projectionsRemaining: false,
        pendingProjections: 0,
        durationMs,
        recordsPerSecond: Math.round((records / Math.max(durationMs, 1)) * 1000),
      };
    }
    return this.close(
      runId,
      options,
      { reports: merged, resumed: done.size, failed, records },
      undefined,
      started,
    );
  }

  /** Projects the run's pending exchanges, then records the run's state and reports it. */
  private async close(
    runId: string,
    options: RunOptions,
    outcome: {
      reports: ReadonlyMap<string, BatchReport>;
      resumed: number;
      failed: { batch: string; error: string }[];
      records: number;
    },
    deadline?: number,
    started = performance.now(),
  ): Promise<MigrationReport> {
    const projectionsRemaining = await finishProjections(this.runs, this.memory, runId, deadline);
    const { reports, failed, records } = outcome;
    const state = projectionsRemaining ? "running" : failed.length > 0 ? "failed" : "completed";
    if (!projectionsRemaining) {
      const error =
        failed.length > 0 ? `${failed.length} batch(es) failed; resume the run to retry them` : null;
      await this.runs.setState(runId, state, { error });
    }
    const durationMs = Math.round(performance.now() - started);
    return {
      runId,
      dryRun: false,
      state,
      options,
      records: sumReports(reports.values()),
      batches: { total: batchesOf(options).length, done: reports.size, resumed: outcome.resumed, failed },
      projectionsRemaining,
      pendingProjections: await this.pendingProjections(),
      durationMs,
      recordsPerSecond: Math.round((records / Math.max(durationMs, 1)) * 1000),
    };
  }

  private async pendingProjections(): Promise<number> {
    const backlog = await this.memory.stores.outbox?.backlog().catch(() => undefined);
    return backlog ? Object.values(backlog).reduce((a, b) => a + b, 0) : 0;
  }
}
