/**
 * Tier 2: the archive and source of truth (the Archive port). A store commits the exchange and one
 * outbox row per enabled projection tier in a single statement; everything else is derived from
 * these rows.
 */
import type { Pool } from "@neondatabase/serverless";
import type { ProjectionTier } from "../../domain/tiers.js";
import type {
  Exchange,
  ExchangeInput,
  ExchangePatch,
  ExchangeVersion,
  SessionInfo,
  Summary,
} from "../../domain/types.js";
import { TierUnavailableError } from "../../errors/memory-error.js";
import type {
  Archive,
  LexicalHit,
  NewExchange,
  RecentQuery,
  SearchQuery,
  StoredExchange,
  WindowKey,
} from "../archive.js";
import { windowLockKey } from "../archive.js";
import { tombstoneOf } from "../erasures.js";
import { insertExchanges } from "./bulk-insert.js";
import { guard, inTransaction, type Queryable } from "./client.js";
import { lockUserForErase } from "./erase-lock.js";
import { isConnectionFailure, isUniqueViolation } from "./errors.js";
import { filterClause, filterPath, indexablePath } from "./filter-sql.js";
import { searchBm25 } from "./lexical-search.js";
import { correctExchange, deleteExchange, exchangeOf, versionsOf } from "./one-exchange.js";
import {
  type ExchangeRow,
  exchangeColumns,
  exchangeColumnsOf,
  type SummaryRow,
  summaryColumns,
  toExchange,
  toSummary,
} from "./rows.js";

export class PostgresArchive implements Archive {
  readonly #pool: Pool;
  readonly #db: Queryable;
  readonly #reads: Queryable;

  /**
   * `reads`: the pool for context reads (word search, the latest exchanges), whose statements
   * Postgres cancels past a short timeout, so a read abandoned at the context deadline does not
   * keep the database busy. Default: `pool`.
   */
  constructor(pool: Pool, options: { reads?: Pool } = {}) {
    this.#pool = pool;
    this.#db = guard(pool);
    this.#reads = guard(options.reads ?? pool);
  }

  async insertExchange(
    input: ExchangeInput,
    projections: readonly ProjectionTier[],
  ): Promise<StoredExchange> {
    try {
      const existing = input.idempotencyKey
        ? await this.#byIdempotencyKey(input.userId, input.idempotencyKey)
        : undefined;
      if (existing) return { exchange: existing, duplicate: true };
      return { exchange: await this.#insert(input, projections), duplicate: false };
    } catch (error) {
      // A concurrent retry with the same key committed first: answer with its exchange.
      const key = input.idempotencyKey;
      if (key && isUniqueViolation(error)) {
        const winner = await this.#byIdempotencyKey(input.userId, key);
        if (winner) return { exchange: winner, duplicate: true };
      }
      // The call went to Postgres: any failure that is not the database refusing means it was not reached.
      if (error instanceof TierUnavailableError || isConnectionFailure(error))
        throw new TierUnavailableError("postgres", {
          cause: error instanceof TierUnavailableError ? error.cause : error,
          failed: "nothing was stored",
        });
      throw error;
    }
  }

  insertExchanges(exchanges: readonly NewExchange[], projections: readonly ProjectionTier[]) {
    return inTransaction(this.#pool, (c) => insertExchanges(c, null, exchanges, projections));
  }

  async #byIdempotencyKey(userId: string, key: string): Promise<Exchange | undefined> {
    const { rows } = await this.#db.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, key],
    );
    return rows[0] && toExchange(rows[0]);
  }

  /**
   * With a filter, its top-level equalities go first as a condition the (user_id, metadata) GIN
   * index answers; the whole filter is then checked on what is left.
   */
  async recent(
    userId: string,
    limit: number,
    { before, scope, filter, kind }: RecentQuery = {},
  ): Promise<Exchange[]> {
    const indexable = filter ? indexablePath(filter) : null;
    const { rows } = await this.#reads.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges e
        WHERE user_id = $1 AND ($3::timestamptz IS NULL OR (created_at, ordinal) < ($3, $4))
          AND ($5::text IS NULL OR session_id = $5) AND ($6::text IS NULL OR agent_id = $6)
          AND ($8::text IS NULL OR kind = $8)
          ${indexable ? "AND metadata @@ $9::jsonpath" : ""} AND ${filterClause("e", 7)}
        ORDER BY created_at DESC, ordinal DESC LIMIT $2`,
      [
        userId,
        limit,
        before?.createdAt ?? null,
        before?.ordinal ?? 0,
        scope?.sessionId ?? null,
        scope?.agentId ?? null,
        filter ? filterPath(filter) : null,
        kind ?? null,
        ...(indexable ? [indexable] : []),
      ],
    );
    return rows.map(toExchange);
  }

  search(userId: string, query: string, limit: number, options: SearchQuery = {}): Promise<LexicalHit[]> {
    return searchBm25(this.#reads, userId, query, limit, options);
  }

  async sessions(userId: string, limit: number): Promise<SessionInfo[]> {
    const { rows } = await this.#reads.query<{
      session_id: string;
      first_at: Date;
      last_at: Date;
      n: string;
      agent_ids: string[];
    }>(
      `SELECT session_id, min(created_at) AS first_at, max(created_at) AS last_at, count(*) AS n,
              coalesce(array_agg(DISTINCT agent_id ORDER BY agent_id) FILTER (WHERE agent_id IS NOT NULL), '{}') AS agent_ids
         FROM exchanges WHERE user_id = $1 AND session_id IS NOT NULL
        GROUP BY session_id ORDER BY last_at DESC, session_id LIMIT $2`,
      [userId, limit],
    );
    return rows.map((r) => ({
      sessionId: r.session_id,
      firstAt: new Date(r.first_at),
      lastAt: new Date(r.last_at),
      exchanges: Number(r.n),
      agentIds: r.agent_ids,
    }));
  }

  exchange(userId: string, id: string): Promise<Exchange | undefined> {
    return exchangeOf(this.#db, userId, id);
  }

  correctExchange(
    userId: string,
    id: string,
    patch: ExchangePatch,
    by: string,
    projections: readonly ProjectionTier[],
  ): Promise<Exchange | undefined> {
    return correctExchange(this.#pool, userId, id, patch, by, projections);
  }

  versions(userId: string, id: string): Promise<ExchangeVersion[]> {
    return versionsOf(this.#db, userId, id);
  }

  deleteExchange(
    userId: string,
    id: string,
    projections: readonly ProjectionTier[],
    summaryWindow: number,
  ): Promise<Exchange | undefined> {
    return deleteExchange(this.#pool, userId, id, projections, summaryWindow);
  }

  async byIds(userId: string, ids: readonly string[]): Promise<Exchange[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.#db.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges WHERE user_id = $1 AND id = ANY($2::uuid[]) ORDER BY ordinal`,
      [userId, ids],
    );
    return rows.map(toExchange);
  }

  async recentForUsers(userIds: readonly string[], limit: number): Promise<Map<string, Exchange[]>> {
    const { rows } = await this.#db.query<ExchangeRow>(
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

  /**
   * Under transaction-scoped advisory locks on the windows (taken in sorted order, so two callers
   * cannot deadlock), reads them and saves what `summarize` makes of them, on one connection: taking
   * a second pool connection while holding a lock deadlocks the pool once enough callers hold locks.
   */
  rewriteWindows(
    windows: readonly WindowKey[],
    size: number,
    summarize: (exchanges: Exchange[]) => Promise<Summary[]>,
    emptied?: (windows: WindowKey[]) => Promise<void>,
  ): Promise<void> {
    if (windows.length === 0) return Promise.resolve();
    return inTransaction(this.#pool, async (c) => {
      await c.query(
        "SELECT pg_advisory_xact_lock(hashtextextended(n, 0)) FROM (SELECT DISTINCT unnest($1::text[]) AS n ORDER BY n) s",
        [windows.map(windowLockKey)],
      );
      const { rows } = await c.query<ExchangeRow>(
        `SELECT ${exchangeColumnsOf("e")}
           FROM unnest($1::text[], $2::bigint[]) AS k(user_id, w)
           JOIN exchanges e ON e.user_id = k.user_id AND e.ordinal BETWEEN k.w * $3 + 1 AND (k.w + 1) * $3
          ORDER BY e.user_id, e.ordinal`,
        [windows.map((k) => k.userId), windows.map((k) => k.windowIndex), size],
      );
      if (rows.length > 0) await upsertSummaries(c, await summarize(rows.map(toExchange)));
      const empty = windows.filter(
        (w) => !rows.some((r) => r.user_id === w.userId && windowOf(r, size) === w.windowIndex),
      );
      if (empty.length === 0) return;
      await c.query(
        "DELETE FROM summaries s USING unnest($1::text[], $2::bigint[]) AS k(u, w) WHERE s.user_id = k.u AND s.window_index = k.w",
        [empty.map((w) => w.userId), empty.map((w) => w.windowIndex)],
      );
      await emptied?.(empty);
    });
  }

  async summaries(userId: string): Promise<Summary[]> {
    const { rows } = await this.#db.query<SummaryRow>(
      `SELECT ${summaryColumns} FROM summaries WHERE user_id = $1 ORDER BY window_index`,
      [userId],
    );
    return rows.map(toSummary);
  }

  /** The exchanges held (users.exchange_count numbers them: a rollback can leave it higher). */
  async exchangeCount(userId: string): Promise<number> {
    const { rows } = await this.#db.query<{ n: string }>(
      "SELECT count(*) AS n FROM exchanges WHERE user_id = $1",
      [userId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async userIds(after: string, limit: number): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>(
      "SELECT id FROM users WHERE id > $1 ORDER BY id LIMIT $2",
      [after, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * One statement: the exchanges (their outbox rows cascade) and the user row (its summaries
   * cascade), counted as they go, the tombstone, and an erase task per projection tier. A task
   * already there (an earlier erase not yet finished) starts over. Under the user's erase lock, so
   * a migration batch writing this user commits wholly before it or sees the tombstone.
   */
  async eraseUser(userId: string, projections: readonly ProjectionTier[]): Promise<number> {
    return inTransaction(this.#pool, async (c) => {
      await lockUserForErase(c, userId);
      const { rows } = await c.query<{ n: string }>(
        `WITH gone AS (DELETE FROM exchanges WHERE user_id = $1 RETURNING 1),
              account AS (DELETE FROM users WHERE id = $1),
              tombstone AS (INSERT INTO erased_users (user_hash) VALUES ($2)
                            ON CONFLICT (user_hash) DO UPDATE SET erased_at = now()),
              tasks AS (INSERT INTO erase_tasks (user_id, tier) SELECT $1, unnest($3::text[])
                        ON CONFLICT (user_id, tier, exchange_id) DO UPDATE
                          SET final = false, attempts = 0, last_error = NULL, available_at = now()),
              -- The user's tasks cover each exchange's: those of single exchanges go.
              single AS (DELETE FROM erase_tasks WHERE user_id = $1 AND exchange_id <> '')
         SELECT count(*) AS n FROM gone`,
        [userId, tombstoneOf(userId), projections],
      );
      return Number(rows[0]?.n ?? 0);
    });
  }

  async knownUsers(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const { rows } = await this.#db.query<{ id: string }>("SELECT id FROM users WHERE id = ANY($1::text[])", [
      userIds,
    ]);
    return new Set(rows.map((r) => r.id));
  }

  async allExchanges(userId: string): Promise<Exchange[]> {
    const { rows } = await this.#db.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges WHERE user_id = $1 ORDER BY ordinal`,
      [userId],
    );
    return rows.map(toExchange);
  }

  /**
   * One statement, so one round trip and its own transaction: the user's counter (its row lock
   * serializes one user's stores and numbers them), the exchange, and one outbox row per projection.
   */
  async #insert(input: ExchangeInput, projections: readonly ProjectionTier[]): Promise<Exchange> {
    const { rows } = await this.#pool.query<ExchangeRow>(insertSql, [
      crypto.randomUUID(),
      input.userId,
      input.userMessage,
      input.botResponse,
      JSON.stringify(input.metadata ?? {}),
      input.timestamp ?? new Date(),
      input.idempotencyKey ?? null,
      projections,
      input.speaker ?? null,
      input.sessionId ?? null,
      input.agentId ?? null,
      input.kind ?? "exchange",
    ]);
    return toExchange(rows[0] as ExchangeRow);
  }
}

const insertSql = `
  WITH counter AS (
    INSERT INTO users (id, exchange_count) VALUES ($2, 1)
    ON CONFLICT (id) DO UPDATE SET exchange_count = users.exchange_count + 1 RETURNING exchange_count AS n),
  inserted AS (
    INSERT INTO exchanges (id, user_id, ordinal, user_message, bot_response, metadata, created_at, idempotency_key, speaker, session_id, agent_id, kind)
    SELECT $1, $2, n, $3, $4, $5, $6, $7, $9, $10, $11, $12 FROM counter RETURNING ${exchangeColumns}),
  outbox_rows AS (
    INSERT INTO outbox (exchange_id, user_id, tier) SELECT id, user_id, unnest($8::text[]) FROM inserted)
  SELECT * FROM inserted`;

async function upsertSummaries(db: Queryable, list: readonly Summary[]): Promise<void> {
  if (list.length === 0) return;
  await db.query(
    `INSERT INTO summaries (user_id, window_index, text, exchange_ids, start_at, end_at, session_id, agent_id, metadata)
     SELECT user_id, w, text, ARRAY(SELECT jsonb_array_elements_text(ids))::uuid[], s, e, sid, aid, m
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[],
                   $7::text[], $8::text[], $9::jsonb[])
            AS t(user_id, w, text, ids, s, e, sid, aid, m)
     ON CONFLICT (user_id, window_index) DO UPDATE
       SET text = EXCLUDED.text, exchange_ids = EXCLUDED.exchange_ids,
           start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at,
           session_id = EXCLUDED.session_id, agent_id = EXCLUDED.agent_id, metadata = EXCLUDED.metadata,
           updated_at = now()`,
    [
      list.map((s) => s.userId),
      list.map((s) => s.windowIndex),
      list.map((s) => s.text),
      list.map((s) => JSON.stringify(s.exchangeIds)),
      list.map((s) => s.startAt.toISOString()),
      list.map((s) => s.endAt.toISOString()),
      list.map((s) => s.sessionId ?? null),
      list.map((s) => s.agentId ?? null),
      list.map((s) => JSON.stringify(s.metadata ?? {})),
    ],
  );
}

const windowOf = (r: ExchangeRow, size: number) => Math.floor((Number(r.ordinal) - 1) / size);
