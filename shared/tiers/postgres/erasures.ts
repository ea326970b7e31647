/** Erase tasks and tombstones in Postgres (the Erasures port), written by PostgresArchive.eraseUser. */
import type { Pool } from "@neondatabase/serverless";
import type { ProjectionTier } from "../../domain/tiers.js";
import { type EraseTask, type Erasures, tombstoneOf } from "../erasures.js";
import { retryDelayMs } from "../outbox.js";
import { guard, type Queryable } from "./client.js";

interface TaskRow {
  user_id: string;
  tier: ProjectionTier;
  final: boolean;
  attempts: number;
  exchange_id: string;
  window_index: string | null;
}

const toTask = (r: TaskRow): EraseTask => ({
  userId: r.user_id,
  tier: r.tier,
  final: r.final,
  attempts: r.attempts,
  ...(r.exchange_id === "" ? {} : { exchangeId: r.exchange_id, windowIndex: Number(r.window_index ?? 0) }),
});

const returning = "RETURNING user_id, tier, final, attempts, exchange_id, window_index";

export class PostgresErasures implements Erasures {
  readonly #db: Queryable;

  constructor(pool: Pool) {
    this.#db = guard(pool);
  }

  async claim(
    limit: number,
    leaseMs: number,
    only: { userId?: string; exchangeId?: string } = {},
  ): Promise<EraseTask[]> {
    const { rows } = await this.#db.query<TaskRow>(
      `UPDATE erase_tasks SET available_at = now() + make_interval(secs => $2::float8 / 1000), attempts = attempts + 1
        WHERE (user_id, tier, exchange_id) IN (
          SELECT user_id, tier, exchange_id FROM erase_tasks
           WHERE available_at <= now() AND ($3::text IS NULL OR user_id = $3)
             AND ($4::text IS NULL OR exchange_id = $4)
           ORDER BY available_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        ${returning}`,
      [limit, leaseMs, only.userId ?? null, only.exchangeId ?? null],
    );
    return rows.map(toTask);
  }

  async done(task: EraseTask, finalPassAfterMs: number): Promise<void> {
    if (task.final)
      await this.#db.query(
        "DELETE FROM erase_tasks WHERE user_id = $1 AND tier = $2 AND exchange_id = $3 AND final",
        [task.userId, task.tier, task.exchangeId ?? ""],
      );
    else
      await this.#db.query(
        `UPDATE erase_tasks SET final = true, attempts = 0, last_error = NULL,
                available_at = now() + make_interval(secs => $3::float8 / 1000)
          WHERE user_id = $1 AND tier = $2 AND exchange_id = $4 AND NOT final`,
        [task.userId, task.tier, finalPassAfterMs, task.exchangeId ?? ""],
      );
  }

  async fail(task: EraseTask, error: string): Promise<void> {
    await this.#db.query(
      `UPDATE erase_tasks SET last_error = $3, available_at = now() + make_interval(secs => $4::float8 / 1000)
        WHERE user_id = $1 AND tier = $2 AND exchange_id = $5`,
      [task.userId, task.tier, error.slice(0, 1000), retryDelayMs(task.attempts), task.exchangeId ?? ""],
    );
  }

  async pending(): Promise<Record<ProjectionTier, number>> {
    const { rows } = await this.#db.query<{ tier: ProjectionTier; n: string }>(
      "SELECT tier, count(*) AS n FROM erase_tasks GROUP BY tier",
    );
    const counts = { redis: 0, chroma: 0, neo4j: 0 };
    for (const r of rows) counts[r.tier] = Number(r.n);
    return counts;
  }

  async releaseAll(): Promise<void> {
    await this.#db.query("UPDATE erase_tasks SET available_at = now()");
  }

  erased(userIds: readonly string[]): Promise<Set<string>> {
    return erasedAmong(this.#db, userIds);
  }
}

/** Which of these exchange ids were deleted one by one (read inside a migration batch's transaction). */
export async function deletedAmong(c: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await c.query<{ exchange_id: string }>(
    "SELECT exchange_id FROM erased_exchanges WHERE exchange_id = ANY($1::uuid[])",
    [ids],
  );
  return new Set(rows.map((r) => r.exchange_id));
}

/** Which of these users have a tombstone (also read inside a migration batch's transaction). */
export async function erasedAmong(c: Queryable, userIds: readonly string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const hashes = userIds.map(tombstoneOf);
  const { rows } = await c.query<{ user_hash: Buffer }>(
    "SELECT user_hash FROM erased_users WHERE user_hash = ANY($1::bytea[])",
    [hashes],
  );
  const found = new Set(rows.map((r) => Buffer.from(r.user_hash).toString("hex")));
  return new Set(userIds.filter((_, i) => found.has((hashes[i] as Buffer).toString("hex"))));
}
