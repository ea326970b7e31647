/**
 * The bulk write path (migration batches, imports, benchmark loads): numbers each user's new
 * exchanges after their existing ones (users locked in id order, so two batches cannot deadlock),
 * oldest first, then inserts them with their outbox rows, skipping any already present by user and
 * idempotency key. Runs inside the caller's transaction.
 */

import type { ProjectionTier } from "../../domain/tiers.js";
import type { Exchange } from "../../domain/types.js";
import type { NewExchange } from "../archive.js";
import type { Queryable } from "./client.js";
import { type ExchangeRow, exchangeColumns, exchangeColumnsOf, toExchange } from "./rows.js";

export async function insertExchanges(
  c: Queryable,
  runId: string | null,
  exchanges: readonly NewExchange[],
  projections: readonly ProjectionTier[],
): Promise<Exchange[]> {
  if (exchanges.length === 0) return [];
  const present = await presentKeys(c, exchanges);
  // The first of a (user, key) the batch repeats, and none already stored: every reserved ordinal is used.
  const fresh = exchanges
    .filter((e) => {
      const key = pairKey(e.userId, e.idempotencyKey);
      return !present.has(key) && present.add(key);
    })
    .sort(
      (a, b) =>
        a.userId.localeCompare(b.userId) ||
        a.timestamp.getTime() - b.timestamp.getTime() ||
        a.idempotencyKey.localeCompare(b.idempotencyKey),
    );
  if (fresh.length === 0) return [];
  const ordinals = await reserveOrdinals(c, fresh);
  const { rows } = await c.query<ExchangeRow>(
    `INSERT INTO exchanges (id, user_id, ordinal, user_message, bot_response, speaker, session_id, agent_id, metadata, created_at, idempotency_key, migration_run, kind)
     SELECT id, user_id, ordinal, um, br, sp, sid, aid, meta::jsonb, at, key, $12, k
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                   $9::text[], $10::timestamptz[], $11::text[], $13::text[])
            AS t(id, user_id, ordinal, um, br, sp, sid, aid, meta, at, key, k)
     ON CONFLICT DO NOTHING
     RETURNING ${exchangeColumns}`,
    [
      fresh.map((e) => e.id),
      fresh.map((e) => e.userId),
      ordinals,
      fresh.map((e) => e.userMessage),
      fresh.map((e) => e.botResponse),
      fresh.map((e) => e.speaker ?? null),
      fresh.map((e) => e.sessionId ?? null),
      fresh.map((e) => e.agentId ?? null),
      fresh.map((e) => JSON.stringify(e.metadata)),
      fresh.map((e) => e.timestamp.toISOString()),
      fresh.map((e) => e.idempotencyKey),
      runId,
      fresh.map((e) => e.kind ?? "exchange"),
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

/** The archived exchanges for these (user, idempotency key) pairs. */
export async function byKeys(
  c: Queryable,
  pairs: readonly { userId: string; key: string }[],
): Promise<Exchange[]> {
  return (await rowsByKeys(c, pairs)).map(toExchange);
}

async function rowsByKeys(c: Queryable, pairs: readonly { userId: string; key: string }[]) {
  if (pairs.length === 0) return [];
  const { rows } = await c.query<ExchangeRow & { key: string }>(
    `SELECT ${exchangeColumnsOf("e")}, e.idempotency_key AS key
       FROM unnest($1::text[], $2::text[]) AS k(user_id, key)
       JOIN exchanges e ON e.user_id = k.user_id AND e.idempotency_key = k.key`,
    [pairs.map((p) => p.userId), pairs.map((p) => p.key)],
  );
  return rows;
}

const pairKey = (userId: string, key: string) => `${userId}\u0000${key}`;

async function presentKeys(c: Queryable, exchanges: readonly NewExchange[]): Promise<Set<string>> {
  const rows = await rowsByKeys(
    c,
    exchanges.map((e) => ({ userId: e.userId, key: e.idempotencyKey })),
  );
  return new Set(rows.map((r) => pairKey(r.user_id, r.key)));
}

/** Bumps each user's counter by their new exchanges; returns each new exchange's ordinal, in order. */
async function reserveOrdinals(c: Queryable, fresh: readonly NewExchange[]): Promise<number[]> {
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
  return fresh.map((e) => {
    const n = next.get(e.userId) ?? 1;
    next.set(e.userId, n + 1);
    return n;
  });
}
