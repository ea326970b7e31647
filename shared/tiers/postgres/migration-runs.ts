/**
 * Migration runs and their checkpoints in Tier 2. A batch's exchanges, their outbox rows and the
 * batch's checkpoint commit in one transaction, so after a crash a batch is either wholly done and
 * recorded, or not at all; resuming redoes exactly the unrecorded batches.
 */
import type { Pool, PoolClient } from "@neondatabase/serverless";
import type { Exchange, ProjectionTier } from "../../domain/types.js";
import { inTransaction } from "./client.js";
import { type ExchangeRow, exchangeColumns, exchangeColumnsOf, toExchange } from "./rows.js";

export type RunState = "running" | "completed" | "failed" | "validated" | "rolled_back";

export interface MigrationRun {
  id: string;
  state: RunState;
  options: Record<string, unknown>;
  integrity: Record<string, unknown> | null;
  error: string | null;
  startedAt: Date;
  updatedAt: Date;
}

/** An exchange a batch wants to write, with its id already derived from the legacy id. */
export interface NewExchange {
  id: string;
  userId: string;
  userMessage: string;
  botResponse: string;
  metadata: Record<string, unknown>;
  timestamp: Date;
  idempotencyKey: string;
}

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

export class MigrationRuns {
  constructor(private readonly pool: Pool) {}

  async create(id: string, options: Record<string, unknown>): Promise<void> {
    await this.pool.query("INSERT INTO migration_runs (id, state, options) VALUES ($1, 'running', $2)", [
      id,
      JSON.stringify(options),
    ]);
  }

  async get(id: string): Promise<MigrationRun | undefined> {
    const { rows } = await this.pool.query<RunRow>("SELECT * FROM migration_runs WHERE id = $1", [id]);
    return rows[0] && toRun(rows[0]);
  }

  async list(limit = 50): Promise<MigrationRun[]> {
    const { rows } = await this.pool.query<RunRow>(
      "SELECT * FROM migration_runs ORDER BY started_at DESC LIMIT $1",
      [limit],
    );
    return rows.map(toRun);
  }

  async setState(
    id: string,
    state: RunState,
    extra: { integrity?: Record<string, unknown>; error?: string | null } = {},
  ): Promise<void> {
    await this.pool.query(
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

  /** Reports of the batches this run has committed, by `collection:index`. */
  async doneBatches<R>(runId: string): Promise<Map<string, R>> {
    const { rows } = await this.pool.query<{ collection: string; batch_index: number; report: R }>(
      "SELECT collection, batch_index, report FROM migration_batches WHERE run_id = $1",
      [runId],
    );
    return new Map(rows.map((r) => [`${r.collection}:${r.batch_index}`, r.report]));
  }

  /**
   * Writes the batch's exchanges not already in the archive (by user and idempotency key), their
   * outbox rows and the checkpoint, in one transaction. Returns what it inserted, or undefined when
   * the batch was already committed (by an earlier attempt that did finish).
   */
  async commitBatch<R extends object>(
    batch: { runId: string; collection: string; index: number },
    exchanges: readonly NewExchange[],
    report: (inserted: number) => R,
    projections: readonly ProjectionTier[],
  ): Promise<Exchange[] | undefined> {
    try {
      return await inTransaction(this.pool, async (c) => {
        // The checkpoint row first: a concurrent attempt at the same batch waits here, then fails.
        await c.query(
          "INSERT INTO migration_batches (run_id, collection, batch_index, report) VALUES ($1, $2, $3, '{}')",
          [batch.runId, batch.collection, batch.index],
        );
        const inserted = await insertExchanges(c, batch.runId, exchanges, projections);
        await c.query(
          "UPDATE migration_batches SET report = $4 WHERE run_id = $1 AND collection = $2 AND batch_index = $3",
          [batch.runId, batch.collection, batch.index, JSON.stringify(report(inserted.length))],
        );
        return inserted;
      });
    } catch (error) {
      if (
        (error as { code?: string }).code === "23505" &&
        (error as { table?: string }).table === "migration_batches"
      )
        return undefined;
      throw error;
    }
  }

  /** Users after `after` (in id order) with exchanges of this run still waiting in the tier's outbox. */
  async usersWithPending(
    runId: string,
    tier: ProjectionTier,
    after: string,
    limit: number,
  ): Promise<string[]> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      `SELECT DISTINCT e.user_id FROM exchanges e
        WHERE e.migration_run = $1 AND e.user_id > $3
          AND EXISTS (SELECT 1 FROM outbox o WHERE o.exchange_id = e.id AND o.tier = $2)
        ORDER BY e.user_id LIMIT $4`,
      [runId, tier, after, limit],
    );
    return rows.map((r) => r.user_id);
  }

  /** These users' exchanges of this run still waiting in the tier's outbox, whatever their lease. */
  async unprojected(runId: string, tier: ProjectionTier, users: readonly string[]): Promise<Exchange[]> {
    const { rows } = await this.pool.query<ExchangeRow>(
      `SELECT ${exchangeColumnsOf("e")}
         FROM exchanges e
        WHERE e.migration_run = $1 AND e.user_id = ANY($3::text[])
          AND EXISTS (SELECT 1 FROM outbox o WHERE o.exchange_id = e.id AND o.tier = $2)
        ORDER BY e.user_id, e.ordinal`,
      [runId, tier, users],
    );
    return rows.map(toExchange);
  }

  /** Users this run wrote exchanges for. */
  async usersOf(runId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      "SELECT DISTINCT user_id FROM exchanges WHERE migration_run = $1",
      [runId],
    );
    return rows.map((r) => r.user_id);
  }

  /**
   * Deletes what the run wrote for one user: its exchanges (their outbox rows cascade) and the
   * user's summaries rows, which are rebuilt from what remains. Returns the exchanges left.
   */
  async removeRunFromUser(runId: string, userId: string): Promise<number> {
    return inTransaction(this.pool, async (c) => {
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

  /** The archived exchanges for these (user, idempotency key) pairs. */
  async byKeys(pairs: readonly { userId: string; key: string }[]): Promise<Exchange[]> {
    if (pairs.length === 0) return [];
    const { rows } = await this.pool.query<ExchangeRow>(
      `SELECT ${exchangeColumnsOf("e")}
         FROM unnest($1::text[], $2::text[]) AS k(user_id, key)
         JOIN exchanges e ON e.user_id = k.user_id AND e.idempotency_key = k.key`,
      [pairs.map((p) => p.userId), pairs.map((p) => p.key)],
    );
    return rows.map(toExchange);
  }
}

/**
 * The bulk write path (migration batches, benchmark loads): numbers each user's new exchanges after
 * their existing ones (users locked in id order, so two batches cannot deadlock), oldest first, then
 * inserts them with their outbox rows, skipping any already present by user and idempotency key.
 */
export async function insertExchanges(
  c: PoolClient,
  runId: string | null,
  exchanges: readonly NewExchange[],
  projections: readonly ProjectionTier[],
): Promise<Exchange[]> {
  if (exchanges.length === 0) return [];
  const { rows: present } = await c.query<{ user_id: string; key: string }>(
    `SELECT e.user_id, e.idempotency_key AS key
       FROM unnest($1::text[], $2::text[]) AS k(user_id, key)
       JOIN exchanges e ON e.user_id = k.user_id AND e.idempotency_key = k.key`,
    [exchanges.map((e) => e.userId), exchanges.map((e) => e.idempotencyKey)],
  );
  const have = new Set(present.map((r) => `${r.user_id}\u0000${r.key}`));
  const fresh = exchanges
    .filter((e) => !have.has(`${e.userId}\u0000${e.idempotencyKey}`))
    .sort(
      (a, b) =>
        a.userId.localeCompare(b.userId) ||
        a.timestamp.getTime() - b.timestamp.getTime() ||
        a.idempotencyKey.localeCompare(b.idempotencyKey),
    );
  if (fresh.length === 0) return [];
  const perUser = new Map<string, number>();
  for (const e of fresh) perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + 1);
  const users = [...perUser.keys()].sort();
  const { rows: counters } = await c.query<{ id: string; n: string }>(
    `INSERT INTO users (id, exchange_count) SELECT * FROM unnest($1::text[], $2::bigint[])
     ON CONFLICT (id) DO UPDATE SET exchange_count = users.exchange_count + EXCLUDED.exchange_count
     RETURNING id, exchange_count AS n`,
    [users, users.map((u) => perUser.get(u))],
  );
  const next = new Map(counters.map((r) => [r.id, Number(r.n) - (perUser.get(r.id) ?? 0) + 1]));
  const ordinals = fresh.map((e) => {
    const n = next.get(e.userId) ?? 1;
    next.set(e.userId, n + 1);
    return n;
  });
  const { rows } = await c.query<ExchangeRow>(
    `INSERT INTO exchanges (id, user_id, ordinal, user_message, bot_response, metadata, created_at, idempotency_key, migration_run)
     SELECT id, user_id, ordinal, um, br, meta::jsonb, at, key, $9
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
            AS t(id, user_id, ordinal, um, br, meta, at, key)
     ON CONFLICT DO NOTHING
     RETURNING ${exchangeColumns}`,
    [
      fresh.map((e) => e.id),
      fresh.map((e) => e.userId),
      ordinals,
      fresh.map((e) => e.userMessage),
      fresh.map((e) => e.botResponse),
      fresh.map((e) => JSON.stringify(e.metadata)),
      fresh.map((e) => e.timestamp.toISOString()),
      fresh.map((e) => e.idempotencyKey),
      runId,
    ],
  );
  if (projections.length > 0 && rows.length > 0)
    await c.query(
      `INSERT INTO outbox (exchange_id, user_id, tier)
       SELECT e.id, e.user_id, t FROM unnest($1::uuid[], $2::text[]) AS e(id, user_id), unnest($3::text[]) AS t`,
      [rows.map((r) => r.id), rows.map((r) => r.user_id), projections],
    );
  return rows.map(toExchange);
}
