/**
 * Tiers' stretches of failed health checks in Postgres (the TierIncidents port): at most one open
 * incident per tier (a partial unique index), so concurrent workers agree on when it began.
 */
import type { Pool } from "@neondatabase/serverless";
import type { TierName } from "../../domain/tiers.js";
import type { TierIncident } from "../../domain/webhooks.js";
import type { TierIncidents } from "../webhooks.js";
import { guard, type Queryable } from "./client.js";

interface Row {
  tier: TierName;
  started_at: Date;
  last_failed_at: Date;
  ended_at: Date | null;
  error: string | null;
}

const toIncident = (r: Row): TierIncident => ({
  tier: r.tier,
  startedAt: new Date(r.started_at),
  lastFailedAt: new Date(r.last_failed_at),
  endedAt: r.ended_at ? new Date(r.ended_at) : null,
  error: r.error,
});

export class PostgresTierIncidents implements TierIncidents {
  readonly #db: Queryable;

  constructor(pool: Pool) {
    this.#db = guard(pool);
  }

  async observe(tier: TierName, ok: boolean, at: Date, error?: string) {
    if (ok) {
      const { rows } = await this.#db.query<Row>(
        `UPDATE tier_incidents SET ended_at = greatest($2::timestamptz, started_at)
          WHERE tier = $1 AND ended_at IS NULL RETURNING tier, started_at, last_failed_at, ended_at, error`,
        [tier, at],
      );
      return { ended: rows[0] && toIncident(rows[0]) };
    }
    const { rows } = await this.#db.query<Row>(
      `INSERT INTO tier_incidents (tier, started_at, last_failed_at, error) VALUES ($1, $2, $2, $3)
       ON CONFLICT (tier) WHERE ended_at IS NULL DO UPDATE
         SET error = coalesce(EXCLUDED.error, tier_incidents.error),
             last_failed_at = greatest(tier_incidents.last_failed_at, EXCLUDED.last_failed_at)
       RETURNING tier, started_at, last_failed_at, ended_at, error`,
      [tier, at, error ?? null],
    );
    return { open: rows[0] && toIncident(rows[0]) };
  }

  async open(): Promise<TierIncident[]> {
    const { rows } = await this.#db.query<Row>(
      "SELECT tier, started_at, last_failed_at, ended_at, error FROM tier_incidents WHERE ended_at IS NULL ORDER BY tier",
    );
    return rows.map(toIncident);
  }
}
