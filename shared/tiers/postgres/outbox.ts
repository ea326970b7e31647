/**
 * The outbox in Postgres (the Outbox port): rows are claimed with a lease (SKIP LOCKED, so workers
 * never block each other), deleted when applied, and pushed back with backoff when the tier fails.
 */
import type { Pool } from "@neondatabase/serverless";
import type { ProjectionTier } from "../../domain/tiers.js";
import type { OutboxItem } from "../../domain/types.js";
import { type Outbox, type OutboxSelection, retryDelayMs } from "../outbox.js";
import { guard, type Queryable } from "./client.js";

interface OutboxRow {
  id: string;
  exchange_id: string;
  user_id: string;
  tier: ProjectionTier;
  attempts: number;
}

const toItem = (r: OutboxRow): OutboxItem => ({
  id: Number(r.id),
  exchangeId: r.exchange_id,
  userId: r.user_id,
  tier: r.tier,
  attempts: r.attempts,
});

export class PostgresOutbox implements Outbox {
  readonly #db: Queryable;

  constructor(pool: Pool) {
    this.#db = guard(pool);
  }

  async claim(limit: number, leaseMs: number, only: OutboxSelection = {}): Promise<OutboxItem[]> {
    const exchangeIds = only.exchangeIds ?? (only.exchangeId === undefined ? null : [only.exchangeId]);
    const { rows } = await this.#db.query<OutboxRow>(
      `UPDATE outbox SET available_at = now() + make_interval(secs => $2::float8 / 1000), attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM outbox
           WHERE available_at <= now() AND ($3::uuid[] IS NULL OR exchange_id = ANY($3))
             AND ($4::text[] IS NULL OR tier = ANY($4))
           ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, exchange_id, user_id, tier, attempts`,
      [limit, leaseMs, exchangeIds, only.tiers ?? null],
    );
    return rows.map(toItem).sort((a, b) => a.id - b.id);
  }

  async complete(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await this.#db.query("DELETE FROM outbox WHERE id = ANY($1::bigint[])", [ids]);
  }

  async completeFor(exchangeIds: readonly string[], tier: ProjectionTier): Promise<void> {
    if (exchangeIds.length > 0)
      await this.#db.query("DELETE FROM outbox WHERE exchange_id = ANY($1::uuid[]) AND tier = $2", [
        exchangeIds,
        tier,
      ]);
  }

  async fail(id: number, attempts: number, error: string): Promise<void> {
    await this.#db.query(
      "UPDATE outbox SET last_error = $2, available_at = now() + make_interval(secs => $3::float8 / 1000) WHERE id = $1",
      [id, error.slice(0, 1000), retryDelayMs(attempts)],
    );
  }

  async backlog(): Promise<Record<ProjectionTier, number>> {
    const { rows } = await this.#db.query<{ tier: ProjectionTier; n: string }>(
      "SELECT tier, count(*) AS n FROM outbox GROUP BY tier",
    );
    const counts = { redis: 0, chroma: 0, neo4j: 0 };
    for (const r of rows) counts[r.tier] = Number(r.n);
    return counts;
  }

  async releaseAll(tier?: ProjectionTier): Promise<void> {
    await this.#db.query("UPDATE outbox SET available_at = now() WHERE $1::text IS NULL OR tier = $1", [
      tier ?? null,
    ]);
  }
}
