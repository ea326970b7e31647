/**
 * Bulk imports in Postgres (the ImportStore port): a migration_runs row of kind 'import' and an
 * imports row beside it. Every query a tenant makes names the tenant, so another tenant's id finds
 * nothing.
 */
import type { Pool } from "@neondatabase/serverless";
import { isUuid } from "../../domain/identity.js";
import type { ImportEntry, ImportStore, NewImport } from "../imports.js";
import type { RunState } from "../migration-runs.js";
import { guard, inTransaction, type Queryable } from "./client.js";

interface Row {
  id: string;
  tenant_id: string;
  format: string;
  state: RunState;
  options: Record<string, unknown>;
  integrity: Record<string, unknown> | null;
  error: string | null;
  location: string | null;
  has_body: boolean;
  units: number | null;
  launched_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const select = `SELECT r.id, i.tenant_id, i.format, r.state, r.options, r.integrity, r.error, i.location,
       i.body IS NOT NULL AS has_body, i.units, i.launched_at, i.created_at, r.updated_at
  FROM imports i JOIN migration_runs r ON r.id = i.run_id`;

const toEntry = (r: Row): ImportEntry => ({
  id: r.id,
  tenantId: r.tenant_id,
  format: r.format,
  state: r.state,
  options: r.options,
  report: r.integrity,
  error: r.error,
  location: r.location,
  hasBody: r.has_body,
  units: r.units,
  launchedAt: r.launched_at ? new Date(r.launched_at) : null,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

export class PostgresImports implements ImportStore {
  readonly #pool: Pool;
  readonly #db: Queryable;

  constructor(pool: Pool) {
    this.#pool = pool;
    this.#db = guard(pool);
  }

  async create(entry: NewImport): Promise<void> {
    await inTransaction(this.#pool, async (c) => {
      await c.query(
        "INSERT INTO migration_runs (id, state, options, kind) VALUES ($1, 'running', $2, 'import')",
        [entry.id, JSON.stringify(entry.options)],
      );
      await c.query(
        `INSERT INTO imports (run_id, tenant_id, format, body, location, units)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          entry.id,
          entry.tenantId,
          entry.format,
          entry.body ?? null,
          entry.location ?? null,
          entry.units ?? null,
        ],
      );
    });
  }

  async get(tenantId: string, id: string): Promise<ImportEntry | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await this.#db.query<Row>(`${select} WHERE i.run_id = $1 AND i.tenant_id = $2`, [
      id,
      tenantId,
    ]);
    return rows[0] && toEntry(rows[0]);
  }

  async list(tenantId: string, limit: number): Promise<ImportEntry[]> {
    const { rows } = await this.#db.query<Row>(
      `${select} WHERE i.tenant_id = $1 ORDER BY i.created_at DESC, i.run_id DESC LIMIT $2`,
      [tenantId, limit],
    );
    return rows.map(toEntry);
  }

  async recent(limit: number): Promise<ImportEntry[]> {
    const { rows } = await this.#db.query<Row>(
      `${select} ORDER BY i.created_at DESC, i.run_id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toEntry);
  }

  async body(id: string): Promise<string | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await this.#db.query<{ body: string | null }>(
      "SELECT body FROM imports WHERE run_id = $1",
      [id],
    );
    return rows[0]?.body ?? undefined;
  }

  async dropBody(id: string): Promise<void> {
    await this.#db.query("UPDATE imports SET body = NULL WHERE run_id = $1", [id]);
  }

  async setUnits(id: string, units: number): Promise<void> {
    await this.#db.query("UPDATE imports SET units = $2 WHERE run_id = $1", [id, units]);
  }

  async active(tenantId: string): Promise<number> {
    const { rows } = await this.#db.query<{ n: string }>(
      `SELECT count(*) AS n FROM imports i JOIN migration_runs r ON r.id = i.run_id
        WHERE i.tenant_id = $1 AND r.state = 'running'`,
      [tenantId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async claimLaunch(id: string): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      "UPDATE imports SET launched_at = clock_timestamp() WHERE run_id = $1 AND launched_at IS NULL",
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  async unlaunched(limit: number): Promise<string[]> {
    const { rows } = await this.#db.query<{ run_id: string }>(
      `SELECT i.run_id FROM imports i JOIN migration_runs r ON r.id = i.run_id
        WHERE i.launched_at IS NULL AND r.state = 'running' ORDER BY i.created_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.run_id);
  }
}
