/**
 * ImportManager: a tenant's bulk imports, run by the migration engine. An import is a run of kind
 * import: its lines are cut into fixed batches, each committed with its outbox rows and checkpoint
 * in one transaction (so a crash or a retry never writes a line twice, and an erased user is never
 * written), then the projections are built user by user, a sample is checked against the archive,
 * and the tenant's webhooks are told. In-process (`run`) or step by step (plan, importRange,
 * finish) for a Step Functions execution.
 */
import pLimit from "p-limit";
import pRetry from "p-retry";
import { z } from "zod";
import type { Config } from "../config/index.js";
import { ConflictError, describeError, InvalidInputError, NotFoundError } from "../errors/memory-error.js";
import type { ProjectionService } from "../memory/projection/service.js";
import type { MemoryEvents } from "../memory/webhooks/memory-events.js";
import { finishProjections } from "../migration/projection-finisher.js";
import type { Erasures } from "../tiers/erasures.js";
import type { ImportEntry, ImportStore } from "../tiers/imports.js";
import type { MigrationRunStore } from "../tiers/migration-runs.js";
import type { Logger } from "../util/logger.js";
import { importBatches, importBatchKey, importCollection, planBatch } from "./batches.js";
import { splitUnits } from "./formats/index.js";
import { checkLocation, readLocation } from "./location.js";
import { type ImportFormat, type ImportUnit, importFormats } from "./records.js";
import {
  type ImportBatchReport,
  ImportBatchReportSchema,
  type ImportResult,
  ImportResultSchema,
  sumImportReports,
} from "./report.js";
import { validateImport } from "./validate.js";

export interface ImportDeps {
  imports: ImportStore;
  runs: MigrationRunStore;
  /** Tombstones: the validation expects an erased user's lines to be missing. */
  erasures?: Erasures;
  projection: ProjectionService;
  config: Config["imports"];
  logger: Logger;
  events?: Pick<MemoryEvents, "importFinished">;
}

export interface NewImportRequest {
  format: ImportFormat;
  /** The lines themselves, or where to read them (a URL or a local file: see location.ts). */
  body?: string;
  location?: string;
}

/** What a run of kind import is started with; every step of a Step Functions execution reads it back. */
export const ImportOptionsSchema = z.object({
  tenant: z.string(),
  format: z.enum(importFormats),
  batchSize: z.number().int().min(1),
  validateSample: z.number().int().min(0),
});
export type ImportOptions = z.infer<typeof ImportOptionsSchema>;

/** Each batch is tried this often more after a failure, 400 ms then 800 ms apart. */
const retriesPerBatch = 2;

export class ImportManager {
  readonly #deps: ImportDeps;
  /** The units of the import this process worked on last: its steps re-read them otherwise. */
  #cached?: { id: string; units: ImportUnit[] };
  /** Imports this process runs (the in-process runner). */
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(deps: ImportDeps) {
    this.#deps = deps;
  }

  /** Records a new import (after the tenant's limits), running, for a runner to take. */
  async create(tenantId: string, request: NewImportRequest): Promise<ImportEntry> {
    const { imports, config } = this.#deps;
    if ((request.body === undefined) === (request.location === undefined))
      throw new InvalidInputError("an import needs either the lines as its body or a location, not both");
    const running = await imports.active(tenantId);
    if (running >= config.maxActivePerTenant)
      throw new ConflictError(
        `this tenant has ${running} imports running, as many as allowed (${config.maxActivePerTenant}); wait for one to end`,
      );
    let units: number | undefined;
    if (request.body !== undefined) {
      units = splitUnits(request.format, request.body).length;
      this.#checkUnits(units);
    } else if (request.location !== undefined) checkLocation(request.location, config);
    const id = crypto.randomUUID();
    const options: ImportOptions = {
      tenant: tenantId,
      format: request.format,
      batchSize: config.batchSize,
      validateSample: config.validateSample,
    };
    await imports.create({ id, tenantId, options, ...request, units });
    const entry = await imports.get(tenantId, id);
    if (!entry) throw new Error(`import ${id} vanished after it was created`);
    // Step Functions: the reconciler starts an execution for it.
    if (config.runner === "in-process") await this.launch(id);
    return entry;
  }

  /** Runs the import in this process, in the background, unless a runner already took it. */
  async launch(id: string): Promise<boolean> {
    if (!(await this.#deps.imports.claimLaunch(id))) return false;
    const work = this.run(id).finally(() => this.#inFlight.delete(work));
    this.#inFlight.add(work);
    return true;
  }

  /** Resolves when the imports this process runs have ended (tests, a clean shutdown). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  get(tenantId: string, id: string): Promise<ImportEntry | undefined> {
    return this.#deps.imports.get(tenantId, id);
  }

  list(tenantId: string, limit = 20): Promise<ImportEntry[]> {
    return this.#deps.imports.list(tenantId, limit);
  }

  /** Every tenant's imports, newest first (the operator console). */
  recent(limit = 20): Promise<ImportEntry[]> {
    return this.#deps.imports.recent(limit);
  }

  /** The committed batches' reports, by batch index. */
  async batchReports(id: string): Promise<Map<string, ImportBatchReport>> {
    const done = await this.#deps.runs.doneBatches(id);
    return new Map([...done].map(([key, report]) => [key, ImportBatchReportSchema.parse(report)]));
  }

  /** The whole import in this process: every batch not yet committed, then `finish` until done. */
  async run(id: string): Promise<ImportResult | undefined> {
    try {
      const { batches } = await this.plan(id);
      await this.importRange(id, 0, batches);
      for (;;) {
        const result = await this.finish(id);
        if (!result.projectionsRemaining) return result.result;
      }
    } catch (error) {
      await this.fail(id, describeError(error));
      return undefined;
    }
  }

  /** Reads the source, counts its units (refusing too many) and says how many batches it has. */
  async plan(id: string): Promise<{ importId: string; batches: number }> {
    const { options } = await this.#running(id);
    const units = await this.#units(id, options);
    this.#checkUnits(units.length);
    await this.#deps.imports.setUnits(id, units.length);
    return { importId: id, batches: importBatches(units.length, options.batchSize).length };
  }

  /** Commits batches [from, to) not committed yet; throws if one still fails after retries. */
  async importRange(
    id: string,
    from: number,
    to: number,
  ): Promise<{ committed: number; skippedAsDone: number }> {
    const { runs, config } = this.#deps;
    const { options } = await this.#running(id);
    const units = await this.#units(id, options);
    const done = await runs.doneBatches(id);
    const range = importBatches(units.length, options.batchSize).slice(from, to);
    const todo = range.filter((b) => !done.has(importBatchKey(b.index)));
    const limit = pLimit(config.concurrency);
    const failed: string[] = [];
    await Promise.all(
      todo.map((b) =>
        limit(() =>
          pRetry(() => this.#commit(id, options, b.index, units.slice(b.from, b.to)), {
            retries: retriesPerBatch,
            minTimeout: 400,
            factor: 2,
            randomize: false,
          }).catch((error: unknown) => {
            failed.push(`batch ${b.index}: ${describeError(error)}`);
          }),
        ),
      ),
    );
    if (failed.length > 0) throw new Error(`${failed.length} of ${todo.length} batches failed; ${failed[0]}`);
    return { committed: todo.length, skippedAsDone: range.length - todo.length };
  }

  /**
   * Builds the pending projections (within `budgetMs`, if given), then closes the import: checks a
   * sample, records the result, forgets the uploaded text and tells the tenant's webhooks.
   */
  async finish(
    id: string,
    options: { budgetMs?: number } = {},
  ): Promise<{ projectionsRemaining: boolean; result?: ImportResult }> {
    const { runs, imports, projection, events } = this.#deps;
    const { entry, options: importOptions } = await this.#running(id);
    const reports = await this.batchReports(id);
    const total = importBatches(entry.units ?? 0, importOptions.batchSize).length;
    if (reports.size < total)
      throw new ConflictError(`import ${id}: ${total - reports.size} batches not committed`);
    const deadline = options.budgetMs === undefined ? undefined : Date.now() + options.budgetMs;
    if (await finishProjections({ runs, projection }, id, deadline)) return { projectionsRemaining: true };
    const units = await this.#units(id, importOptions);
    const validation =
      importOptions.validateSample > 0
        ? await validateImport(this.#deps, units, importOptions, importOptions.validateSample)
        : null;
    const totals = sumImportReports(reports.values());
    // A bulk write that failed leaves its rows in the outbox for the reconciler: say so, not "all done".
    const pendingTiers: string[] = [];
    for (const tier of projection.tiers)
      if ((await runs.usersWithPending(id, tier, "", 1)).length > 0) pendingTiers.push(tier);
    const result = ImportResultSchema.parse({
      totals,
      validation,
      durationMs: Date.now() - entry.createdAt.getTime(),
      pendingTiers,
    });
    await runs.setState(id, "completed", { integrity: result, error: null });
    await imports.dropBody(id);
    this.#cached = undefined;
    await events?.importFinished({
      tenantId: entry.tenantId,
      importId: id,
      state: "completed",
      lines: { total: entry.units ?? 0, ...totals },
      startedAt: entry.createdAt,
      finishedAt: new Date(),
    });
    return { projectionsRemaining: false, result };
  }

  /** Ends a running import as failed (what was committed stays; posting the same lines again resumes it). */
  async fail(id: string, error: string): Promise<void> {
    const { runs, imports, events, logger } = this.#deps;
    const run = await runs.get(id);
    if (run?.state !== "running") return;
    logger.warn("import failed", { importId: id, error });
    const totals = sumImportReports((await this.batchReports(id)).values());
    await runs.setState(id, "failed", {
      error: error.slice(0, 500),
      integrity: { totals, validation: null, durationMs: null },
    });
    await imports.dropBody(id);
    this.#cached = undefined;
    const options = ImportOptionsSchema.safeParse(run.options);
    if (options.success)
      await events?.importFinished({
        tenantId: options.data.tenant,
        importId: id,
        state: "failed",
        lines: { ...totals },
        error: error.slice(0, 200),
        startedAt: run.startedAt,
        finishedAt: new Date(),
      });
  }

  async #commit(id: string, options: ImportOptions, index: number, units: ImportUnit[]): Promise<void> {
    const planned = planBatch(units, { ...options, importedAt: new Date() });
    const skipped = planned.errors.map((e) => ({ id: String(e.line), reason: e.reason }));
    await this.#deps.runs.commitBatch(
      { runId: id, collection: importCollection, index },
      planned.exchanges,
      (written): ImportBatchReport => ({
        seen: planned.lines,
        migrated: written.inserted,
        existing: planned.exchanges.length - written.inserted - written.erased,
        erased: written.erased,
        skipped,
      }),
      this.#deps.projection.tiers,
    );
  }

  /** The running import and its options; NotFoundError or ConflictError otherwise. */
  async #running(id: string): Promise<{ entry: ImportEntry; options: ImportOptions }> {
    const run = await this.#deps.runs.get(id);
    if (!run) throw new NotFoundError(`No import ${id}`);
    const options = ImportOptionsSchema.parse(run.options);
    const entry = await this.#deps.imports.get(options.tenant, id);
    if (!entry) throw new NotFoundError(`No import ${id}`);
    if (entry.state !== "running") throw new ConflictError(`Import ${id} is ${entry.state}, not running`);
    return { entry, options };
  }

  async #units(id: string, options: ImportOptions): Promise<ImportUnit[]> {
    if (this.#cached?.id === id) return this.#cached.units;
    const entry = await this.#deps.imports.get(options.tenant, id);
    const text = entry?.location
      ? await readLocation(entry.location, this.#deps.config)
      : await this.#deps.imports.body(id);
    if (text === undefined) throw new ConflictError(`import ${id} no longer has its lines`);
    const units = splitUnits(options.format, text);
    this.#cached = { id, units };
    return units;
  }

  #checkUnits(units: number) {
    if (units === 0) throw new InvalidInputError("the import has no lines");
    if (units > this.#deps.config.maxLines)
      throw new InvalidInputError(
        `the import has ${units} lines, more than allowed (${this.#deps.config.maxLines}); split it`,
      );
  }
}
