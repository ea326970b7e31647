/**
 * Migration runs and their checkpoints in Postgres (the MigrationRunStore port). A batch's
 * exchanges, their outbox rows and its checkpoint commit in one transaction.
 */
import type { Pool } from "@neondatabase/serverless";
import { tenantOfKey, userIdOfKey } from "../../domain/identity.js";
import type { ProjectionTier } from "../../domain/tiers.js";
import type { Exchange } from "../../domain/types.js";
import type { NewExchange } from "../archive.js";
import type {
  BatchCheckpoint,
  BatchRef,
  BatchWritten,
  MigrationRun,
  MigrationRunStore,
  RunState,
  RunSummary,
} from "../migration-runs.js";
import { byKeys, insertExchanges } from "./bulk-insert.js";
import { guard, inTransaction, type Queryable } from "./client.js";
import { lockUsersAgainstErase } from "./erase-lock.js";
import { deletedAmong, erasedAmong } from "./erasures.js";
import { isUniqueViolation } from "./errors.js";
import { type ExchangeRow, exchangeColumnsOf, toExchange } from "./rows.js";

interface RunRow {
  id: string;
  state: RunState;
  options: Record<string, unknown>;
  integrity: Record<string, unknown> | null;
  error: string | null;
  started_at: string | Date;
  updated_at: string | Date;
}

const toRun = (r: RunRow): MigrationRun => ({
  id: r.id,
  state: r.state,
  options: r.options,
  integrity: r.integrity,
  error: r.error,
  startedAt: new Date(r.started_at),
  updatedAt: new Date(r.updated_at),
});

export class PostgresMigrationRuns implements MigrationRunStore {
  readonly #pool: Pool;
  readonly #db: Queryable;

  constructor(pool: Pool) {
    this.#pool = pool;
    this.#db = guard(pool);
  }

  async create(id: string, options: Record<string, unknown>): Promise<void> {
    await this.#db.query("INSERT INTO migration_runs (id, state, options) VALUES ($1, 'running', $2)", [
      id,
      JSON.stringify(options),
    ]);
  }

  async get(id: string): Promise<MigrationRun | undefined> {
    const { rows } = await this.#db.query<RunRow>("SELECT * FROM migration_runs WHERE id = $1", [id]);
    return rows[0] && toRun(rows[0]);
  }

  async list(limit = 50): Promise<MigrationRun[]> {
    const { rows } = await this.#db.query<RunRow>(
      "SELECT * FROM migration_runs WHERE kind = 'migration' ORDER BY started_at DESC LIMIT $1",
      [limit],
    );
    return rows.map(toRun);
  }

  async setState(
    id: string,
    state: RunState,
    extra: { integrity?: Record<string, unknown>; error?: string | null } = {},
  ): Promise<void> {
    await this.#db.query(
      `UPDATE migration_runs SET state = $2, updated_at = now(),
              integrity = coalesce($3::jsonb, integrity), error = CASE WHEN $5 THEN $4 ELSE error END
        WHERE id = $1`,
      [
        id,
        state,
        extra.integrity ? JSON.stringify(extra.integrity) : null,
        extra.error ?? null,
        "error" in extra,
      ],
    );
  }

  async doneBatches(runId: string): Promise<Map<string, unknown>> {
    const { rows } = await this.#db.query<{ collection: string; batch_index: number; report: unknown }>(
      "SELECT collection, batch_index, report FROM migration_batches WHERE run_id = $1",
      [runId],
    );
    return new Map(rows.map((r) => [`${r.collection}:${r.batch_index}`, r.report]));
  }

  async commitBatch(
    batch: BatchRef,
    exchanges: readonly NewExchange[],
    report: (written: BatchWritten) => BatchCheckpoint,
    projections: readonly ProjectionTier[],
  ): Promise<Exchange[] | undefined> {
    try {
      return await inTransaction(this.#pool, async (c) => {
        // The checkpoint row first: a concurrent attempt at the same batch waits here, then fails.
        await c.query(
          "INSERT INTO migration_batches (run_id, collection, batch_index, report) VALUES ($1, $2, $3, '{}')",
          [batch.runId, batch.collection, batch.index],
        );
        const users = [...new Set(exchanges.map((e) => e.userId))];
        await lockUsersAgainstErase(c, users);
        const erased = await erasedAmong(c, users);
        const deleted = await deletedAmong(
          c,
          exchanges.map((e) => e.id),
        );
        const wanted = exchanges.filter((e) => !erased.has(e.userId) && !deleted.has(e.id));
        const inserted = await insertExchanges(c, batch.runId, wanted, projections);
        const checkpoint = report({ inserted: inserted.length, erased: exchanges.length - wanted.length });
        await c.query(
          "UPDATE migration_batches SET report = $4 WHERE run_id = $1 AND collection = $2 AND batch_index = $3",
          [batch.runId, batch.collection, batch.index, JSON.stringify(checkpoint)],
        );
        return inserted;
      });
    } catch (error) {
      if (isUniqueViolation(error, "migration_batches")) return undefined;
      throw error;
    }
  }

  async usersWithPending(
    runId: string,
    tier: ProjectionTier,
    after: string,
    limit: number,
  ): Promise<string[]> {
    const { rows } = await this.#db.query<{ user_id: string }>(
      `SELECT DISTINCT e.user_id FROM exchanges e
        WHERE e.migration_run = $1 AND e.user_id > $3
          AND EXISTS (SELECT 1 FROM outbox o WHERE o.exchange_id = e.id AND o.tier = $2)
        ORDER BY e.user_id LIMIT $4`,
      [runId, tier, after, limit],
    );
    return rows.map((r) => r.user_id);
  }

  async unprojected(runId: string, tier: ProjectionTier, users: readonly string[]): Promise<Exchange[]> {
    const { rows } = await this.#db.query<ExchangeRow>(
      `SELECT ${exchangeColumnsOf("e")}
         FROM exchanges e
        WHERE e.migration_run = $1 AND e.user_id = ANY($3::text[])
          AND EXISTS (SELECT 1 FROM outbox o WHERE o.exchange_id = e.id AND o.tier = $2)
        ORDER BY e.user_id, e.ordinal`,
      [runId, tier, users],
    );
    return rows.map(toExchange);
  }

  async forgetUser(userId: string): Promise<void> {
    await this.#db.query(
      `UPDATE migration_runs SET
         options = CASE WHEN jsonb_typeof(options->'users') = 'array'
                        THEN jsonb_set(options, '{users}', (options->'users') - $2) ELSE options END,
         integrity = CASE WHEN jsonb_typeof(integrity->'failures') = 'array'
                          THEN jsonb_set(integrity, '{failures}', COALESCE(
                            (SELECT jsonb_agg(f) FROM jsonb_array_elements(integrity->'failures') AS f
                              WHERE f->>'record' IS DISTINCT FROM $2 AND f->>'record' IS DISTINCT FROM $3),
                            '[]'::jsonb))
                          ELSE integrity END
       WHERE options->>'tenant' = $1`,
      [tenantOfKey(userId), userIdOfKey(userId), userId],
    );
  }

  async usersOf(runId: string): Promise<string[]> {
    const { rows } = await this.#db.query<{ user_id: string }>(
      "SELECT DISTINCT user_id FROM exchanges WHERE migration_run = $1 ORDER BY user_id",
      [runId],
    );
    return rows.map((r) => r.user_id);
  }

  removeRunFromUser(runId: string, userId: string): Promise<number> {
    return inTransaction(this.#pool, async (c) => {
      await c.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [userId]);
      await c.query("DELETE FROM exchanges WHERE migration_run = $1 AND user_id = $2", [runId, userId]);
      await c.query("DELETE FROM summaries WHERE user_id = $1", [userId]);
      const { rows } = await c.query<{ n: string }>(
        "SELECT count(*) AS n FROM exchanges WHERE user_id = $1",
        [userId],
      );
      const left = Number(rows[0]?.n ?? 0);
      if (left === 0) await c.query("DELETE FROM users WHERE id = $1", [userId]);
      return left;
    });
  }

  byKeys(pairs: readonly { userId: string; key: string }[]): Promise<Exchange[]> {
    return byKeys(this.#db, pairs);
  }

  async summaries(limit: number): Promise<RunSummary[]> {
    const { rows } = await this.#db.query<
      RunRow & {
        batches_done: string;
        records_done: string;
        unmigratable: string;
        last_batch_at: Date | null;
      }
    >(
      `SELECT r.*, count(b.batch_index) AS batches_done,
              coalesce(sum((b.report->>'seen')::bigint), 0) AS records_done,
              coalesce(sum(jsonb_array_length(coalesce(b.report->'skipped', '[]'::jsonb))), 0) AS unmigratable,
              max(b.done_at) AS last_batch_at
         FROM migration_runs r LEFT JOIN migration_batches b ON b.run_id = r.id
        WHERE r.kind = 'migration'
        GROUP BY r.id ORDER BY r.started_at DESC LIMIT $1`,
      [limit],
    );
    const { rows: reasons } = await this.#db.query<{ run_id: string; reason: string; n: string }>(
      `SELECT b.run_id, s->>'reason' AS reason, count(*) AS n
         FROM migration_batches b CROSS JOIN jsonb_array_elements(coalesce(b.report->'skipped', '[]'::jsonb)) s
        WHERE b.run_id = ANY($1::uuid[]) GROUP BY b.run_id, s->>'reason' ORDER BY n DESC, reason`,
      [rows.map((r) => r.id)],
    );
    return rows.map((r) => ({
      run: toRun(r),
      batchesDone: Number(r.batches_done),
      recordsDone: Number(r.records_done),
      unmigratable: Number(r.unmigratable),
      reasons: reasons
        .filter((x) => x.run_id === r.id)
        .slice(0, 5)
        .map((x) => ({ reason: x.reason, count: Number(x.n) })),
      lastBatchAt: r.last_batch_at ? new Date(r.last_batch_at) : null,
    }));
  }
}
