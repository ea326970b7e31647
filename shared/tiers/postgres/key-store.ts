/** API keys in Postgres (the KeyStore port): one row per key, the secret only as its SHA-256 hash. */
import type { Pool } from "@neondatabase/serverless";
import { adminTenant } from "../../domain/identity.js";
import type { KeyGrant, KeyScope } from "../../domain/scopes.js";
import {
  type ApiKeyInfo,
  checkKeyOptions,
  checkTenant,
  type KeyStore,
  type NewKeyOptions,
  newKey,
  parseKey,
  secretMatches,
} from "../key-store.js";
import { guard, type Queryable } from "./client.js";

interface Row {
  id: string;
  tenant_id: string;
  name: string;
  scopes: KeyScope[];
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const columns = "id, tenant_id, name, scopes, created_at, expires_at, revoked_at";

const toInfo = (r: Row): ApiKeyInfo => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  scopes: r.scopes,
  createdAt: new Date(r.created_at),
  expiresAt: r.expires_at ? new Date(r.expires_at) : null,
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
});

export class PostgresKeyStore implements KeyStore {
  readonly #db: Queryable;

  constructor(pool: Pool) {
    this.#db = guard(pool);
  }

  async create(tenantId: string, name: string, options?: NewKeyOptions) {
    checkTenant(tenantId);
    return this.#insert(tenantId, name, options);
  }

  async createAdmin(name: string, options?: NewKeyOptions) {
    return this.#insert(adminTenant, name, options);
  }

  async #insert(
    tenantId: string,
    name: string,
    options?: NewKeyOptions,
  ): Promise<{ key: string; info: ApiKeyInfo }> {
    const { scopes, expiresAt } = checkKeyOptions(options);
    const { id, hash, key } = newKey();
    const { rows } = await this.#db.query<Row>(
      `INSERT INTO api_keys (id, tenant_id, name, secret_hash, scopes, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${columns}`,
      [id, tenantId, name, hash, scopes, expiresAt],
    );
    return { key, info: toInfo(rows[0] as Row) };
  }

  async verify(key: string): Promise<KeyGrant | undefined> {
    const claimed = parseKey(key);
    if (!claimed) return undefined;
    const { rows } = await this.#db.query<Row & { secret_hash: Buffer }>(
      `SELECT ${columns}, secret_hash FROM api_keys
        WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [claimed.id],
    );
    const row = rows[0];
    if (!secretMatches(claimed.hash, row && Buffer.from(row.secret_hash)) || !row) return undefined;
    const { tenantId, scopes, expiresAt } = toInfo(row);
    return { tenantId, scopes, expiresAt };
  }

  async list(tenantId?: string): Promise<ApiKeyInfo[]> {
    const { rows } = await this.#db.query<Row>(
      `SELECT ${columns} FROM api_keys WHERE $1::text IS NULL OR tenant_id = $1 ORDER BY created_at, id`,
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
