/**
 * One exchange or note at a time (PostgresArchive): read it, correct it keeping the version it
 * replaces, list those versions, and erase it. A correction and an erase each commit with the work
 * they leave to the projection tiers (outbox rows, erase tasks), so no tier can miss them.
 */
import type { Pool } from "@neondatabase/serverless";
import { isUuid } from "../../domain/identity.js";
import type { ProjectionTier } from "../../domain/tiers.js";
import type { Exchange, ExchangePatch, ExchangeVersion } from "../../domain/types.js";
import { windowLockKey } from "../archive.js";
import { inTransaction, type Queryable } from "./client.js";
import { lockUserForErase } from "./erase-lock.js";
import {
  type ExchangeRow,
  exchangeColumns,
  toExchange,
  toVersion,
  type VersionRow,
  versionColumns,
} from "./rows.js";

export async function exchangeOf(db: Queryable, userId: string, id: string): Promise<Exchange | undefined> {
  if (!isUuid(id)) return undefined;
  const { rows } = await db.query<ExchangeRow>(
    `SELECT ${exchangeColumns} FROM exchanges WHERE user_id = $1 AND id = $2`,
    [userId, id],
  );
  return rows[0] && toExchange(rows[0]);
}

/** The stored row (locked), the version it was kept as, the patched row, and its outbox rows. */
export function correctExchange(
  pool: Pool,
  userId: string,
  id: string,
  patch: ExchangePatch,
  by: string,
  projections: readonly ProjectionTier[],
): Promise<Exchange | undefined> {
  if (!isUuid(id)) return Promise.resolve(undefined);
  return inTransaction(pool, async (c) => {
    const { rows } = await c.query<ExchangeRow>(
      `SELECT ${exchangeColumns} FROM exchanges WHERE user_id = $1 AND id = $2 FOR UPDATE`,
      [userId, id],
    );
    const before = rows[0] && toExchange(rows[0]);
    if (!before) return undefined;
    await c.query(
      `INSERT INTO exchange_versions (exchange_id, version, user_message, bot_response, speaker, session_id,
                                      agent_id, metadata, changed_by)
       SELECT id, version, user_message, bot_response, speaker, session_id, agent_id, metadata, $2
         FROM exchanges WHERE id = $1`,
      [id, by],
    );
    const pick = <K extends "speaker" | "sessionId" | "agentId">(k: K) =>
      patch[k] === undefined ? (before[k] ?? null) : patch[k];
    const { rows: updated } = await c.query<ExchangeRow>(
      `UPDATE exchanges SET user_message = $2, bot_response = $3, speaker = $4, session_id = $5, agent_id = $6,
              metadata = $7, version = version + 1
        WHERE id = $1 RETURNING ${exchangeColumns}`,
      [
        id,
        patch.userMessage ?? before.userMessage,
        patch.botResponse ?? before.botResponse,
        pick("speaker"),
        pick("sessionId"),
        pick("agentId"),
        JSON.stringify(patch.metadata ?? before.metadata),
      ],
    );
    await c.query("INSERT INTO outbox (exchange_id, user_id, tier) SELECT $1, $2, unnest($3::text[])", [
      id,
      userId,
      projections,
    ]);
    return toExchange(updated[0] as ExchangeRow);
  });
}

export async function versionsOf(db: Queryable, userId: string, id: string): Promise<ExchangeVersion[]> {
  if (!isUuid(id)) return [];
  const { rows } = await db.query<VersionRow>(
    `SELECT ${versionColumns.replace(/(\w+)/g, "v.$1")}
       FROM exchange_versions v JOIN exchanges e ON e.id = v.exchange_id
      WHERE e.user_id = $1 AND e.id = $2 ORDER BY v.version`,
    [userId, id],
  );
  return rows.map(toVersion);
}

/**
 * Under the window's summary lock (as a rewrite takes it, so a rewrite in flight finishes first or
 * reads the window without it): the row (its outbox rows and versions cascade, its idempotency key
 * is a column of it), the window's summary row, and one erase task per projection tier.
 */
export function deleteExchange(
  pool: Pool,
  userId: string,
  id: string,
  projections: readonly ProjectionTier[],
  summaryWindow: number,
): Promise<Exchange | undefined> {
  if (!isUuid(id)) return Promise.resolve(undefined);
  return inTransaction(pool, async (c) => {
    // As a user's erase: a migration batch writing this user commits wholly before it or after it.
    await lockUserForErase(c, userId);
    const { rows: found } = await c.query<{ ordinal: string }>(
      "SELECT ordinal FROM exchanges WHERE user_id = $1 AND id = $2",
      [userId, id],
    );
    if (!found[0]) return undefined;
    const windowIndex = Math.floor((Number(found[0].ordinal) - 1) / summaryWindow);
    await c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
      windowLockKey({ userId, windowIndex }),
    ]);
    const { rows } = await c.query<ExchangeRow>(
      `WITH gone AS (DELETE FROM exchanges WHERE user_id = $1 AND id = $2 RETURNING ${exchangeColumns}),
            summary AS (DELETE FROM summaries WHERE user_id = $1 AND window_index = $3),
            tombstone AS (INSERT INTO erased_exchanges (exchange_id) SELECT id FROM gone ON CONFLICT DO NOTHING),
            tasks AS (INSERT INTO erase_tasks (user_id, tier, exchange_id, window_index)
                      SELECT $1, t, $2, $3 FROM unnest($4::text[]) AS t WHERE EXISTS (SELECT 1 FROM gone)
                      ON CONFLICT (user_id, tier, exchange_id) DO UPDATE
                        SET final = false, attempts = 0, last_error = NULL, available_at = now())
       SELECT * FROM gone`,
      [userId, id, windowIndex, projections],
    );
    return rows[0] && toExchange(rows[0]);
  });
}
