/** API keys in Postgres (the KeyStore port): one row per key, the secret only as its SHA-256 hash. */
import type { Pool } from "@neondatabase/serverless";
import { adminTenant } from "../../domain/identity.js";
import {
  type ApiKeyInfo,
  checkTenant,
  type KeyStore,
  newKey,
  parseKey,
  secretMatches,
} from "../key-store.js";
import { guard, type Queryable } from "./client.js";

interface Row {
  id: string;
  tenant_id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}

const toInfo = (r: Row): ApiKeyInfo => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  createdAt: new Date(r.created_at),
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
});

export class PostgresKeyStore implements KeyStore {
  readonly #db: Queryable;

  constructor(pool: Pool) {
    this.#db = guard(pool);
  }

  async create(tenantId: string, name: string) {
    checkTenant(tenantId);
    return this.#insert(tenantId, name);
  }

  createAdmin(name: string) {
    return this.#insert(adminTenant, name);
  }

  async #insert(tenantId: string, name: string): Promise<{ key: string; info: ApiKeyInfo }> {
    const { id, hash, key } = newKey();
    const { rows } = await this.#db.query<Row>(
      `INSERT INTO api_keys (id, tenant_id, name, secret_hash) VALUES ($1, $2, $3, $4)
       RETURNING id, tenant_id, name, created_at, revoked_at`,
      [id, tenantId, name, hash],
    );
    return { key, info: toInfo(rows[0] as Row) };
  }

  async verify(key: string): Promise<string | undefined> {
    const claimed = parseKey(key);
    if (!claimed) return undefined;
    const { rows } = await this.#db.query<{ tenant_id: string; secret_hash: Buffer }>(
      "SELECT tenant_id, secret_hash FROM api_keys WHERE id = $1 AND revoked_at IS NULL",
      [claimed.id],
    );
    const row = rows[0];
    return secretMatches(claimed.hash, row && Buffer.from(row.secret_hash)) ? row?.tenant_id : undefined;
  }

  async list(tenantId?: string): Promise<ApiKeyInfo[]> {
    const { rows } = await this.#db.query<Row>(
      `SELECT id, tenant_id, name, created_at, revoked_at FROM api_keys
        WHERE $1::text IS NULL OR tenant_id = $1 ORDER BY created_at, id`,
      [tenantId ?? null],
    );
    return rows.map(toInfo);
  }

  async revoke(id: string): Promise<boolean> {
    const { rowCount } = await this.#db.query(
      "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
      [id],
    );
    return (rowCount ?? 0) > 0;
  }
}
