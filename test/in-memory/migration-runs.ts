/** In-memory test double of the MigrationRunStore port (shared/tiers/migration-runs.ts), over the shared InMemoryDatabase. */

import { tenantOfKey, userIdOfKey } from "../../shared/domain/identity.js";
import type { ProjectionTier } from "../../shared/domain/tiers.js";
import type { Exchange } from "../../shared/domain/types.js";
import type { NewExchange } from "../../shared/tiers/archive.js";
import { tombstoneOf } from "../../shared/tiers/erasures.js";
import type {
  BatchRef,
  BatchWritten,
  MigrationRun,
  MigrationRunStore,
  RunState,
  RunSummary,
} from "../../shared/tiers/migration-runs.js";
import { batchKey, copyExchange, type InMemoryDatabase, viaJson } from "./database.js";

const copyRun = (r: MigrationRun): MigrationRun => ({
  ...viaJson(r),
  startedAt: new Date(r.startedAt),
  updatedAt: new Date(r.updatedAt),
});

interface Skipped {
  reason?: string;
}

export class InMemoryMigrationRuns implements MigrationRunStore {
  readonly #db: InMemoryDatabase;

  constructor(db: InMemoryDatabase) {
    this.#db = db;
  }

  async create(id: string, options: Record<string, unknown>): Promise<void> {
    if (this.#db.runs.has(id)) throw new Error(`migration run ${id} exists`);
    const now = new Date();
    this.#db.runs.set(id, {
      id,
      state: "running",
      options: viaJson(options),
      integrity: null,
      error: null,
      startedAt: now,
      updatedAt: now,
    });
  }

  async get(id: string): Promise<MigrationRun | undefined> {
    const run = this.#db.runs.get(id);
    return run && copyRun(run);
  }

  /** Newest first; runs started in the same millisecond, the later created first. */
  async list(limit = 50): Promise<MigrationRun[]> {
    return [...this.#db.runs.values()]
      .filter((run) => !this.#db.imports.has(run.id))
      .map((run, order) => ({ run, order }))
      .sort((a, b) => b.run.startedAt.getTime() - a.run.startedAt.getTime() || b.order - a.order)
      .slice(0, limit)
      .map(({ run }) => copyRun(run));
  }

  async setState(
    id: string,
    state: RunState,
    extra: { integrity?: Record<string, unknown>; error?: string | null } = {},
  ): Promise<void> {
    const run = this.#db.runs.get(id);
    if (!run) return;
    run.state = state;
    run.updatedAt = new Date();
    if (extra.integrity) run.integrity = viaJson(extra.integrity);
    if ("error" in extra) run.error = extra.error ?? null;
  }

  async doneBatches(runId: string): Promise<Map<string, unknown>> {
    return new Map(
      [...this.#db.batches.values()]
        .filter((b) => b.runId === runId)
        .map((b) => [`${b.collection}:${b.index}`, viaJson(b.report)]),
    );
  }

  async commitBatch(
    batch: BatchRef,
    exchanges: readonly NewExchange[],
    report: (written: BatchWritten) => object,
    projections: readonly ProjectionTier[],
  ): Promise<Exchange[] | undefined> {
    if (!this.#db.runs.has(batch.runId)) throw new Error(`no migration run ${batch.runId}`);
    const key = batchKey(batch.runId, batch.collection, batch.index);
    if (this.#db.batches.has(key)) return undefined;
    const wanted = exchanges.filter(
      (e) =>
        !this.#db.erased.has(tombstoneOf(e.userId).toString("hex")) && !this.#db.deletedExchanges.has(e.id),
    );
    const fresh = this.#db.freshOf(wanted);
    // The report first: if it throws, nothing is written (the real one rolls back).
    const done = viaJson(report({ inserted: fresh.length, erased: exchanges.length - wanted.length }));
    const inserted = this.#db.insertMany(fresh, projections, batch.runId);
    this.#db.batches.set(key, { ...batch, report: done, doneAt: new Date() });
    return inserted;
  }

  async usersWithPending(
    runId: string,
    tier: ProjectionTier,
    after: string,
    limit: number,
  ): Promise<string[]> {
    const users = new Set(this.#pending(runId, tier).map((e) => e.userId));
    return [...users]
      .filter((u) => u > after)
      .sort()
      .slice(0, limit);
  }

  async unprojected(runId: string, tier: ProjectionTier, users: readonly string[]): Promise<Exchange[]> {
    return this.#pending(runId, tier)
      .filter((e) => users.includes(e.userId))
      .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : a.ordinal - b.ordinal));
  }

  async usersOf(runId: string): Promise<string[]> {
    return [...new Set(this.#ofRun(runId).map((e) => e.userId))].sort();
  }

  async removeRunFromUser(runId: string, userId: string): Promise<number> {
    for (const e of this.#ofRun(runId)) if (e.userId === userId) this.#db.deleteExchange(e.id);
    this.#db.deleteSummaries(userId);
    const left = this.#db.rowsOf(userId).length;
    if (left === 0) this.#db.users.delete(userId);
    return left;
  }

  async forgetUser(userId: string): Promise<void> {
    const [tenant, legacyUserId] = [tenantOfKey(userId), userIdOfKey(userId)];
    for (const run of this.#db.runs.values()) {
      if (run.options.tenant !== tenant) continue;
      const { users } = run.options;
      if (Array.isArray(users))
        run.options = { ...run.options, users: users.filter((u) => u !== legacyUserId) };
      const failures = run.integrity?.failures;
      if (run.integrity && Array.isArray(failures))
        run.integrity = {
          ...run.integrity,
          failures: failures.filter(
            (f: { record?: unknown }) => f.record !== legacyUserId && f.record !== userId,
          ),
        };
    }
  }

  async byKeys(pairs: readonly { userId: string; key: string }[]): Promise<Exchange[]> {
    return pairs.flatMap(({ userId, key }) => {
      const e = this.#db.byIdempotencyKey(userId, key);
      return e ? [copyExchange(e)] : [];
    });
  }

  async summaries(limit: number): Promise<RunSummary[]> {
    return (await this.list(limit)).map((run) => {
      const batches = [...this.#db.batches.values()].filter((b) => b.runId === run.id);
      const reports = batches.map((b) => (b.report ?? {}) as { seen?: number; skipped?: Skipped[] });
      const skipped = reports.flatMap((r) => r.skipped ?? []);
      const reasons = new Map<string, number>();
      for (const s of skipped) reasons.set(String(s.reason), (reasons.get(String(s.reason)) ?? 0) + 1);
      const times = batches.map((b) => b.doneAt.getTime());
      return {
        run,
        batchesDone: batches.length,
        recordsDone: reports.reduce((n, r) => n + Number(r.seen ?? 0), 0),
        unmigratable: skipped.length,
        reasons: [...reasons]
          .map(([reason, count]) => ({ reason, count }))
          .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0))
          .slice(0, 5),
        lastBatchAt: times.length > 0 ? new Date(Math.max(...times)) : null,
      };
    });
  }

  #ofRun(runId: string): Exchange[] {
    return [...this.#db.exchanges.values()]
      .filter((r) => r.runId === runId)
      .map((r) => copyExchange(r.exchange));
  }

  /** The run's exchanges with a row still in the tier's outbox. */
  #pending(runId: string, tier: ProjectionTier): Exchange[] {
    const waiting = new Set(
      [...this.#db.outbox.values()].filter((o) => o.tier === tier).map((o) => o.exchangeId),
    );
    return this.#ofRun(runId).filter((e) => waiting.has(e.id));
  }
}
