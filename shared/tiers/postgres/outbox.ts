/**
 * The outbox: one row per (exchange, projection tier) still to be applied. Rows are claimed with a
 * lease (SKIP LOCKED, so workers never block each other), deleted when applied, and pushed back
 * with exponential backoff when the tier fails.
 */
import type { Pool } from "@neondatabase/serverless";
import type { OutboxItem, ProjectionTier } from "../../domain/types.js";

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

export class PostgresOutbox {
  constructor(private readonly pool: Pool) {}

  /** Claims up to `limit` due rows (optionally of one exchange) for `leaseMs`. */
  async claim(
    limit: number,
    leaseMs: number,
    only: { exchangeId?: string; tiers?: readonly ProjectionTier[] } = {},
  ): Promise<OutboxItem[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `UPDATE outbox SET available_at = now() + make_interval(secs => $2::float8 / 1000), attempts = attempts + 1
        WHERE id IN (
          SELECT id FROM outbox
           WHERE available_at <= now() AND ($3::uuid IS NULL OR exchange_id = $3)
             AND ($4::text[] IS NULL OR tier = ANY($4))
           ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, exchange_id, user_id, tier, attempts`,
      [limit, leaseMs, only.exchangeId ?? null, only.tiers ?? null],
    );
    return rows.map(toItem).sort((a, b) => a.id - b.id);
  }

  async complete(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await this.pool.query("DELETE FROM outbox WHERE id = ANY($1::bigint[])", [ids]);
  }

  /** Marks these exchanges' rows for one tier done (after a bulk projection applied them). */
  async completeFor(exchangeIds: readonly string[], tier: ProjectionTier): Promise<void> {
    if (exchangeIds.length > 0)
      await this.pool.query("DELETE FROM outbox WHERE exchange_id = ANY($1::uuid[]) AND tier = $2", [
        exchangeIds,
        tier,
      ]);
  }

  /** Backoff: 1 s, 2 s, 4 s ... capped at 5 minutes. */
  async fail(id: number, attempts: number, error: string): Promise<void> {
    const delayMs = Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
    await this.pool.query(
      "UPDATE outbox SET last_error = $2, available_at = now() + make_interval(secs => $3::float8 / 1000) WHERE id = $1",
      [id, error.slice(0, 1000), delayMs],
    );
  }

  /** Rows still to apply, per tier (due or not). */
  async backlog(): Promise<Record<ProjectionTier, number>> {
    const { rows } = await this.pool.query<{ tier: ProjectionTier; n: string }>(
      "SELECT tier, count(*) AS n FROM outbox GROUP BY tier",
    );
    const counts = { redis: 0, chroma: 0, neo4j: 0 };
    for (const r of rows) counts[r.tier] = Number(r.n);
    return counts;
  }

  /** Makes every row due now (after a tier is back, an operator need not wait out the backoff). */
  async releaseAll(tier?: ProjectionTier): Promise<void> {
    await this.pool.query("UPDATE outbox SET available_at = now() WHERE $1::text IS NULL OR tier = $1", [
      tier ?? null,
    ]);
  }
}
