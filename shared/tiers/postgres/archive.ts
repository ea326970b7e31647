/**
 * Tier 2: the archive and source of truth. A store commits the exchange and one outbox row per
 * enabled projection tier in a single statement; everything else is derived from these rows.
 */
import type { Pool, PoolClient } from "@neondatabase/serverless";
import type { Exchange, ExchangeInput, ProjectionTier, Summary } from "../../domain/types.js";
import type { TimeRange } from "../../processing/time-expressions.js";
import { inTransaction } from "./client.js";
import { type LexicalHit, searchBm25 } from "./lexical-search.js";
import {
  type ExchangeRow,
  exchangeColumns,
  exchangeColumnsOf,
  type SummaryRow,
  toExchange,
  toSummary,
} from "./rows.js";

export type { LexicalHit };

/** A pool or a checked-out client: what a query can go through. */
type Queryable = Pick<Pool, "query">;

export interface StoredExchange {
  exchange: Exchange;
  /** True when an earlier store with the same idempotency key already wrote it. */
  duplicate: boolean;
}

export class PostgresArchive {
  constructor(private readonly pool: Pool) {}

  async insertExchange(
    input: ExchangeInput,
    projections: readonly ProjectionTier[],
  ): Promise<StoredExchange> {
    const existing = input.idempotencyKey
      ? await this.byIdempotencyKey(input.userId, input.idempotencyKey)
      : undefined;
    if (existing) return { exchange: existing, duplicate: true };
    try {
      return { exchange: await insert(this.pool, input, projections), duplicate: false };
    } catch (error) {
      // A concurrent retry with the same key committed first: answer with its exchange.
      const key = input.idempotencyKey;
      if (key && (error as { code?: string }).code === "23505") {
        const winner = await this.byIdempotencyKey(input.userId, key);
        if (winner) return { exchange: winner, duplicate: true };
      }
      throw error;
    }
  }

  async byIdempotencyKey(userId: string, key: string): Promise<Exchange | undefined> {
    const { rows } = await this.pool.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, key],
    );
    return rows[0] && toExchange(rows[0]);
  }

  /** Newest first (by time, then by store order). */
  async recent(
    userId: string,
    limit: number,
    before?: { createdAt: Date; ordinal: number },
  ): Promise<Exchange[]> {
    const { rows } = await this.pool.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges
        WHERE user_id = $1 AND ($3::timestamptz IS NULL OR (created_at, ordinal) < ($3, $4))
        ORDER BY created_at DESC, ordinal DESC LIMIT $2`,
      [userId, limit, before?.createdAt ?? null, before?.ordinal ?? 0],
    );
    return rows.map(toExchange);
  }

  /**
   * Full-text search within one user's exchanges, BM25-ranked; any query word may match. Exchanges
   * from `periods` (the times the query names) and by a speaker it names rank higher.
   */
  search(
    userId: string,
    query: string,
    limit: number,
    periods: readonly TimeRange[] = [],
  ): Promise<LexicalHit[]> {
    return searchBm25(this.pool, userId, query, limit, periods);
  }

  async byIds(userId: string, ids: readonly string[]): Promise<Exchange[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges WHERE user_id = $1 AND id = ANY($2::uuid[]) ORDER BY ordinal`,
      [userId, ids],
    );
    return rows.map(toExchange);
  }

  /** The exchanges with ordinals in [from, to], oldest first. */
  async byOrdinals(userId: string, from: number, to: number, db: Queryable = this.pool): Promise<Exchange[]> {
    const { rows } = await db.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges WHERE user_id = $1 AND ordinal BETWEEN $2 AND $3 ORDER BY ordinal`,
      [userId, from, to],
    );
    return rows.map(toExchange);
  }

  /** Each user's newest `limit` exchanges, newest first, in one query. */
  async recentForUsers(userIds: readonly string[], limit: number): Promise<Map<string, Exchange[]>> {
    const { rows } = await this.pool.query<ExchangeRow>(
      `SELECT ${exchangeColumnsOf("r")}
         FROM unnest($1::text[]) AS u(id)
         CROSS JOIN LATERAL (SELECT ${exchangeColumns} FROM exchanges e WHERE e.user_id = u.id
                              ORDER BY created_at DESC, ordinal DESC LIMIT $2) r`,
      [userIds, limit],
    );
    const lists = new Map<string, Exchange[]>(userIds.map((u) => [u, []]));
    for (const r of rows) lists.get(r.user_id)?.push(toExchange(r));
    return lists;
  }

  /** The exchanges of these (user, window index) windows of `size` ordinals, by user then ordinal. */
  async windows(
    keys: readonly { userId: string; windowIndex: number }[],
    size: number,
    db: Queryable = this.pool,
  ): Promise<Exchange[]> {
    if (keys.length === 0) return [];
    const { rows } = await db.query<ExchangeRow>(
      `SELECT ${exchangeColumnsOf("e")}
         FROM unnest($1::text[], $2::bigint[]) AS k(user_id, w)
         JOIN exchanges e ON e.user_id = k.user_id AND e.ordinal BETWEEN k.w * $3 + 1 AND (k.w + 1) * $3
        ORDER BY e.user_id, e.ordinal`,
      [keys.map((k) => k.userId), keys.map((k) => k.windowIndex), size],
    );
    return rows.map(toExchange);
  }

  async upsertSummaries(list: readonly Summary[], db: Queryable = this.pool): Promise<void> {
    if (list.length === 0) return;
    await db.query(
      `INSERT INTO summaries (user_id, window_index, text, exchange_ids, start_at, end_at)
       SELECT user_id, w, text, ARRAY(SELECT jsonb_array_elements_text(ids))::uuid[], s, e
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[])
              AS t(user_id, w, text, ids, s, e)
       ON CONFLICT (user_id, window_index) DO UPDATE
         SET text = EXCLUDED.text, exchange_ids = EXCLUDED.exchange_ids,
             start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, updated_at = now()`,
      [
        list.map((s) => s.userId),
        list.map((s) => s.windowIndex),
        list.map((s) => s.text),
        list.map((s) => JSON.stringify(s.exchangeIds)),
        list.map((s) => s.startAt.toISOString()),
        list.map((s) => s.endAt.toISOString()),
      ],
    );
  }

  async upsertSummary(s: Summary, db: Queryable = this.pool): Promise<void> {
    await db.query(
      `INSERT INTO summaries (user_id, window_index, text, exchange_ids, start_at, end_at)
       VALUES ($1, $2, $3, $4::uuid[], $5, $6)
       ON CONFLICT (user_id, window_index) DO UPDATE
         SET text = EXCLUDED.text, exchange_ids = EXCLUDED.exchange_ids,
             start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, updated_at = now()`,
      [s.userId, s.windowIndex, s.text, s.exchangeIds, s.startAt, s.endAt],
    );
  }

  async summaries(userId: string): Promise<Summary[]> {
    const { rows } = await this.pool.query<SummaryRow>(
      "SELECT user_id, window_index, text, exchange_ids, start_at, end_at FROM summaries WHERE user_id = $1 ORDER BY window_index",
      [userId],
    );
    return rows.map(toSummary);
  }

  async exchangeCount(userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      "SELECT exchange_count AS n FROM users WHERE id = $1",
      [userId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Users in id order, a page at a time (for rebuilding projections). */
  async userIds(after: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      "SELECT id FROM users WHERE id > $1 ORDER BY id LIMIT $2",
      [after, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Erases the user and everything that cascades from it (exchanges, summaries, outbox). */
  async deleteUser(userId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      "WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING exchange_count) SELECT coalesce(sum(exchange_count), 0) AS n FROM gone",
      [userId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async allExchanges(userId: string): Promise<Exchange[]> {
    const { rows } = await this.pool.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges WHERE user_id = $1 ORDER BY ordinal`,
      [userId],
    );
    return rows.map(toExchange);
  }

  /**
   * Runs `work` while holding a transaction-scoped advisory lock named `name`. `work` gets the
   * lock's connection and must query through it: taking a second pool connection while holding one
   * deadlocks the pool once enough callers hold locks.
   */
  async withLock<T>(name: string, work: (db: PoolClient) => Promise<T>): Promise<T> {
    return this.withLocks([name], work);
  }

  /** `withLock` for many names at once, taken in sorted order so two callers cannot deadlock. */
  async withLocks<T>(names: readonly string[], work: (db: PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(async (c) => {
      await c.query(
        "SELECT pg_advisory_xact_lock(hashtextextended(n, 0)) FROM (SELECT DISTINCT unnest($1::text[]) AS n ORDER BY n) s",
        [names],
      );
      return work(c);
    });
  }

  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }
}

/**
 * One statement, so one round trip and its own transaction: the user's counter (its row lock
 * serializes one user's stores and numbers them), the exchange, and one outbox row per projection.
 */
const insertSql = `
  WITH counter AS (
    INSERT INTO users (id, exchange_count) VALUES ($2, 1)
    ON CONFLICT (id) DO UPDATE SET exchange_count = users.exchange_count + 1 RETURNING exchange_count AS n),
  inserted AS (
    INSERT INTO exchanges (id, user_id, ordinal, user_message, bot_response, metadata, created_at, idempotency_key, speaker)
    SELECT $1, $2, n, $3, $4, $5, $6, $7, $9 FROM counter RETURNING ${exchangeColumns}),
  outbox_rows AS (
    INSERT INTO outbox (exchange_id, user_id, tier) SELECT id, user_id, unnest($8::text[]) FROM inserted)
  SELECT * FROM inserted`;

async function insert(db: Queryable, input: ExchangeInput, projections: readonly ProjectionTier[]) {
  const { rows } = await db.query<ExchangeRow>(insertSql, [
    crypto.randomUUID(),
    input.userId,
    input.userMessage,
    input.botResponse,
    JSON.stringify(input.metadata ?? {}),
    input.timestamp ?? new Date(),
    input.idempotencyKey ?? null,
    projections,
    input.speaker ?? null,
  ]);
  return toExchange(rows[0] as ExchangeRow);
}
