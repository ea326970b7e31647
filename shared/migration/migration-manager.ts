/**
 * HierarchicalMigrationManager: brings the legacy ChromaDB into the four tiers. The legacy store is
 * read in fixed batches; each batch commits its exchanges, their outbox rows and its checkpoint in
 * one transaction. Once the batches are in, the run's projections (Redis, Chroma, Neo4j) are built
 * user by user from the outbox. Ids derive from legacy ids, so a re-run, a retried batch or a resume
 * after a crash never writes anything twice.
 */
import pLimit from "p-limit";
import {
  ConfigError,
  ConflictError,
  describeError,
  InvalidInputError,
  NotFoundError,
} from "../errors/memory-error.js";
import { type LegacyCollection, legacyCollections } from "../tiers/legacy-source.js";
import type { MigrationRun } from "../tiers/migration-runs.js";
import { BatchRunner, batchesOf, doneBatches } from "./batch-runner.js";
import type { MigrationDeps } from "./deps.js";
import { type IntegrityReport, validateIntegrity } from "./integrity.js";
import { type RunProgress, runProgress } from "./progress.js";
import { finishProjections } from "./projection-finisher.js";
import { type BatchReport, type RunTotals, sumReports } from "./reports.js";
import {
  batchKey,
  type MigrationOptions,
  type MigrationProgress,
  type MigrationReport,
  type RunOptions,
  RunOptionsSchema,
} from "./types.js";

export type {
  IntegrityReport,
  MigrationOptions,
  MigrationProgress,
  MigrationReport,
  RunOptions,
  RunProgress,
};

type Callbacks = Pick<MigrationOptions, "onBatch" | "onProgress">;

export class HierarchicalMigrationManager {
  readonly #deps: MigrationDeps;
  readonly #batches: BatchRunner;

  constructor(deps: MigrationDeps) {
    this.#deps = deps;
    this.#batches = new BatchRunner(deps.runs, deps.source, deps.projection.tiers, deps.erasures);
  }

  migrateAllConversations(options: Omit<MigrationOptions, "users"> = {}): Promise<MigrationReport> {
    return this.#start({ ...options, users: undefined });
  }

  migrateSpecificUsers(users: readonly string[], options: MigrationOptions = {}): Promise<MigrationReport> {
    if (users.length === 0) throw new InvalidInputError("migrateSpecificUsers needs at least one user id");
    return this.#start({ ...options, users });
  }

  /** Continues a run after a crash or a failed batch: committed batches are not redone. */
  async resume(
    runId: string,
    options: Pick<MigrationOptions, "concurrency"> & Callbacks = {},
  ): Promise<MigrationReport> {
    const runOptions = await this.#reopen(runId);
    return this.#execute(runId, runOptions, options.concurrency ?? this.#deps.config.concurrency, options);
  }

  validateMigrationIntegrity(runId: string, options: { sampleSize?: number } = {}): Promise<IntegrityReport> {
    return validateIntegrity(this.#deps, runId, options.sampleSize ?? 100, (id) =>
      this.rollbackMigration(id),
    );
  }

  /**
   * Removes exactly what the run wrote, from every tier; other data of the same users stays,
   * including a store that arrives while the rollback runs. A user the run leaves with nothing is
   * not erased (no tombstone: a later migration may bring them in again), and their projections are
   * rebuilt from the archive like everyone else's.
   */
  async rollbackMigration(runId: string): Promise<{ users: number; usersRemoved: number }> {
    const { runs, projection, config } = this.#deps;
    await this.#run(runId);
    const users = await runs.usersOf(runId);
    const limit = pLimit(config.concurrency);
    let usersRemoved = 0;
    await Promise.all(
      users.map((userId) =>
        limit(async () => {
          if ((await runs.removeRunFromUser(runId, userId)) === 0) usersRemoved++;
          await projection.rebuildUser(userId);
        }),
      ),
    );
    await runs.setState(runId, "rolled_back");
    return { users: users.length, usersRemoved };
  }

  /** Every run, newest first. */
  listRuns(limit = 50): Promise<MigrationRun[]> {
    return this.#deps.runs.list(limit);
  }

  /** The newest runs with records done, rate, ETA and reasons records could not be migrated. */
  async progress(limit = 20): Promise<RunProgress[]> {
    const now = Date.now();
    return (await this.#deps.runs.summaries(limit)).map((s) => runProgress(s, now));
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
        batches: batchesOf(await this.#reopen(options.resumeRunId)).length,
      };
    const runOptions = await this.#newRunOptions(options);
    const runId = crypto.randomUUID();
    await this.#deps.runs.create(runId, runOptions);
    return { runId, batches: batchesOf(runOptions).length };
  }

  /** Migrates batches [from, to) of a run that are not committed yet; throws if one still fails after retries. */
  async migrateBatchRange(
    runId: string,
    from: number,
    to: number,
    concurrency = this.#deps.config.concurrency,
  ): Promise<{ migrated: number; skippedAsDone: number }> {
    const { run, options } = await this.#run(runId);
    if (run.state !== "running") throw new ConflictError(`Run ${runId} is ${run.state}, not running`);
    const done = await doneBatches(this.#deps.runs, runId);
    const range = batchesOf(options).slice(from, to);
    const todo = range.filter((b) => !done.has(batchKey(b)));
    const { reports, failed } = await this.#batches.run(todo, { runId, options, done, concurrency });
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
    const { options: runOptions } = await this.#run(runId);
    const done = await doneBatches(this.#deps.runs, runId);
    const missing = batchesOf(runOptions)
      .filter((b) => !done.has(batchKey(b)))
      .map((b) => ({ batch: batchKey(b), error: "not committed" }));
    const deadline = options.budgetMs === undefined ? undefined : Date.now() + options.budgetMs;
    return this.#close(
      runId,
      runOptions,
      { reports: done, resumed: done.size, failed: missing, records: 0 },
      deadline,
    );
  }

  /** The run and its parsed options; NotFoundError when there is none. */
  async #run(runId: string): Promise<{ run: MigrationRun; options: RunOptions }> {
    const run = await this.#deps.runs.get(runId);
    if (!run) throw new NotFoundError(`No migration run ${runId}`);
    return { run, options: RunOptionsSchema.parse(run.options) };
  }

  async #start(options: MigrationOptions): Promise<MigrationReport> {
    const runOptions = await this.#newRunOptions(options);
    const concurrency = options.concurrency ?? this.#deps.config.concurrency;
    if (options.dryRun) return this.#execute(null, runOptions, concurrency, options);
    const runId = crypto.randomUUID();
    await this.#deps.runs.create(runId, runOptions);
    return this.#execute(runId, runOptions, concurrency, options);
  }

  async #newRunOptions(options: Pick<MigrationOptions, "users" | "batchSize">): Promise<RunOptions> {
    const { tenant } = this.#deps.config;
    // No default: the tenant named here can read (and erase) every migrated user.
    if (!tenant)
      throw new ConfigError([
        "HIERARCHICAL_MEMORY_MIGRATION_TENANT: required to migrate: the tenant whose API keys will read the migrated users",
      ]);
    return {
      tenant,
      users: options.users ? [...new Set(options.users)].sort() : null,
      batchSize: options.batchSize ?? this.#deps.config.batchSize,
      sourceCounts: await this.#sourceCounts(),
    };
  }

  /** Checks that a run can resume (not rolled back, legacy store unchanged) and marks it running. */
  async #reopen(runId: string): Promise<RunOptions> {
    const { run, options } = await this.#run(runId);
    if (run.state === "rolled_back") throw new ConflictError(`Run ${runId} was rolled back; start a new run`);
    const counts = await this.#sourceCounts();
    for (const c of legacyCollections)
      if (counts[c] !== options.sourceCounts[c])
        throw new ConflictError(
          `The legacy ${c} collection holds ${counts[c]} records, ${options.sourceCounts[c]} when run ${runId} started: batches would not line up; start a new run (it skips what is already migrated)`,
        );
    await this.#deps.runs.setState(runId, "running", { error: null });
    return options;
  }

  async #sourceCounts(): Promise<Record<LegacyCollection, number>> {
    const [memories, facts] = await Promise.all(legacyCollections.map((c) => this.#deps.source.count(c)));
    return { user_memories: memories ?? 0, global_facts: facts ?? 0 };
  }

  async #execute(
    runId: string | null,
    options: RunOptions,
    concurrency: number,
    callbacks: Callbacks,
  ): Promise<MigrationReport> {
    const started = performance.now();
    const all = batchesOf(options);
    const done = runId ? await doneBatches(this.#deps.runs, runId) : new Map<string, BatchReport>();
    const todo = all.filter((b) => !done.has(batchKey(b)));
    const { reports, failed, records } = await this.#batches.run(todo, {
      runId,
      options,
      done,
      concurrency,
      onBatch: callbacks.onBatch,
      onProgress: callbacks.onProgress,
    });
    const merged = new Map([...done, ...reports]);
    if (runId)
      return this.#close(
        runId,
        options,
        { reports: merged, resumed: done.size, failed, records },
        undefined,
        started,
      );
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

  /** Projects the run's pending exchanges, then records the run's state and reports it. */
  async #close(
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
    const projectionsRemaining = await finishProjections(this.#deps, runId, deadline);
    const { reports, failed, records } = outcome;
    const state = projectionsRemaining ? "running" : failed.length > 0 ? "failed" : "completed";
    if (!projectionsRemaining) {
      const error =
        failed.length > 0 ? `${failed.length} batch(es) failed; resume the run to retry them` : null;
      await this.#deps.runs.setState(runId, state, { error });
    }
    const durationMs = Math.round(performance.now() - started);
    const totals = sumReports(reports.values());
    if (state !== "running")
      await this.#deps.events?.migrationFinished({
        tenantId: options.tenant,
        runId,
        state,
        records: countsOf(totals),
        batches: { total: batchesOf(options).length, done: reports.size, failed: failed.length },
        durationMs,
      });
    return {
      runId,
      dryRun: false,
      state,
      options,
      records: totals,
      batches: { total: batchesOf(options).length, done: reports.size, resumed: outcome.resumed, failed },
      projectionsRemaining,
      pendingProjections: await this.#pendingProjections(),
      durationMs,
      recordsPerSecond: Math.round((records / Math.max(durationMs, 1)) * 1000),
    };
  }

  async #pendingProjections(): Promise<number> {
    const backlog = await this.#deps.stores.outbox?.backlog().catch((error: unknown) => {
      this.#deps.logger.warn("outbox backlog unknown", { cause: describeError(error) });
      return undefined;
    });
    return backlog ? Object.values(backlog).reduce((a, b) => a + b, 0) : 0;
  }
}

/** A run's totals as counts only, for an event: no ids, no reasons (which may name a user). */
const countsOf = ({ seen, migrated, existing, filtered, erased, skipped }: RunTotals) => ({
  seen,
  migrated,
  existing,
  filtered,
  erased,
  skipped,
});
