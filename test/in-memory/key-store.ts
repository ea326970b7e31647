/** In-memory test double of the KeyStore port (shared/tiers/key-store.ts), with the port's own key format helpers. */
import { adminTenant } from "../../shared/domain/identity.js";
import type { KeyGrant } from "../../shared/domain/scopes.js";
import {
  type ApiKeyInfo,
  checkKeyOptions,
  checkTenant,
  type KeyStore,
  type NewKeyOptions,
  newKey,
  parseKey,
  secretMatches,
} from "../../shared/tiers/key-store.js";

interface KeyRecord {
  info: ApiKeyInfo;
  hash: Buffer;
  order: number;
}

const copy = (info: ApiKeyInfo): ApiKeyInfo => ({
  ...info,
  scopes: [...info.scopes],
  createdAt: new Date(info.createdAt),
  expiresAt: info.expiresAt && new Date(info.expiresAt),
  revokedAt: info.revokedAt && new Date(info.revokedAt),
});

export class InMemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, KeyRecord>();

  async create(tenantId: string, name: string, options?: NewKeyOptions) {
    checkTenant(tenantId);
    return this.#insert(tenantId, name, options);
  }

  async createAdmin(name: string, options?: NewKeyOptions) {
    return this.#insert(adminTenant, name, options);
  }

  async verify(key: string): Promise<KeyGrant | undefined> {
    const claimed = parseKey(key);
    if (!claimed) return undefined;
    const record = this.#keys.get(claimed.id);
    const { revokedAt, expiresAt } = record?.info ?? {};
    const active =
      record && revokedAt === null && (!expiresAt || expiresAt > new Date()) ? record : undefined;
    if (!secretMatches(claimed.hash, active?.hash) || !active) return undefined;
    const { tenantId, scopes } = copy(active.info);
    return { tenantId, scopes, expiresAt: active.info.expiresAt && new Date(active.info.expiresAt) };
  }

  async list(tenantId?: string): Promise<ApiKeyInfo[]> {
    return [...this.#keys.values()]
      .filter((r) => tenantId === undefined || r.info.tenantId === tenantId)
      .sort((a, b) => a.info.createdAt.getTime() - b.info.createdAt.getTime() || a.order - b.order)
      .map((r) => copy(r.info));
  }

  async revoke(id: string): Promise<boolean> {
    const record = this.#keys.get(id);
    if (!record || record.info.revokedAt !== null) return false;
    record.info.revokedAt = new Date();
    return true;
  }

  #insert(tenantId: string, name: string, options?: NewKeyOptions): { key: string; info: ApiKeyInfo } {
    const { scopes, expiresAt } = checkKeyOptions(options);
    const { id, hash, key } = newKey();
    const info: ApiKeyInfo = {
      id,
      tenantId,
      name,
      scopes,
      createdAt: new Date(),
      expiresAt,
      revokedAt: null,
    };
    this.#keys.set(id, { info, hash, order: this.#keys.size });
    return { key, info: copy(info) };
  }
}
