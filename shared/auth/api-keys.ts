/**
 * API keys per tenant. A key reads `hm_<id>_<secret>`: the id finds the row, the secret is kept only
 * as a SHA-256 hash and compared in constant time. The plain key is shown once, at creation.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Pool } from "@neondatabase/serverless";

export interface ApiKeyInfo {
  id: string;
  tenantId: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Tenant ids: what may prefix a user key without ever colliding with another tenant's. */
export const tenantIdPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

const keyPattern = /^hm_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const hash = (secret: string) => createHash("sha256").update(secret).digest();

/**
 * Operator keys open the console and nothing else. Their "tenant" is one no tenant id can be
 * (tenant ids start with a letter or digit), so an admin key never names a tenant's users.
 */
export const adminTenant = "_admin";

export class ApiKeyStore {
  constructor(private readonly pool: Pool) {}

  async create(tenantId: string, name: string): Promise<{ key: string; info: ApiKeyInfo }> {
    if (!tenantIdPattern.test(tenantId))
      throw new Error(
        "tenant id must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit",
      );
    return this.insert(tenantId, name);
  }

  /** A key for the operator console. */
  createAdmin(name: string): Promise<{ key: string; info: ApiKeyInfo }> {
    return this.insert(adminTenant, name);
  }

  private async insert(tenantId: string, name: string): Promise<{ key: string; info: ApiKeyInfo }> {
    const id = randomBytes(9)
      .toString("base64url")
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "0")
      .slice(0, 12);
    const secret = randomBytes(32).toString("base64url");
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO api_keys (id, tenant_id, name, secret_hash) VALUES ($1, $2, $3, $4)
       RETURNING id, tenant_id, name, created_at, revoked_at`,
      [id, tenantId, name, hash(secret)],
    );
    return { key: `hm_${id}_${secret}`, info: toInfo(rows[0] as Row) };
  }

  /** The tenant of a valid, unrevoked key; undefined for anything else. */
  async verify(key: string): Promise<string | undefined> {
    const match = keyPattern.exec(key);
    if (!match) return undefined;
    const { rows } = await this.pool.query<{ tenant_id: string; secret_hash: Buffer }>(
      "SELECT tenant_id, secret_hash FROM api_keys WHERE id = $1 AND revoked_at IS NULL",
      [match[1]],
    );
    const row = rows[0];
    const given = hash(match[2] ?? "");
    // Compare even when no row matched, so timing does not tell which ids exist.
    const expected = row ? Buffer.from(row.secret_hash) : Buffer.alloc(given.length);
    return timingSafeEqual(given, expected) && row ? row.tenant_id : undefined;
  }

  async list(tenantId?: string): Promise<ApiKeyInfo[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT id, tenant_id, name, created_at, revoked_at FROM api_keys
        WHERE $1::text IS NULL OR tenant_id = $1 ORDER BY created_at`,
      [tenantId ?? null],
    );
    return rows.map(toInfo);
  }

  async revoke(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
      [id],
    );
    return (rowCount ?? 0) > 0;
  }
}

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
