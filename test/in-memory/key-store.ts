/** In-memory test double of the KeyStore port (shared/tiers/key-store.ts), with the port's own key format helpers. */
import { adminTenant } from "../../shared/domain/identity.js";
import {
  type ApiKeyInfo,
  checkTenant,
  type KeyStore,
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
  createdAt: new Date(info.createdAt),
  revokedAt: info.revokedAt && new Date(info.revokedAt),
});

export class InMemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, KeyRecord>();

  async create(tenantId: string, name: string) {
    checkTenant(tenantId);
    return this.#insert(tenantId, name);
  }

  async createAdmin(name: string) {
    return this.#insert(adminTenant, name);
  }

  async verify(key: string): Promise<string | undefined> {
    const claimed = parseKey(key);
    if (!claimed) return undefined;
    const record = this.#keys.get(claimed.id);
    const active = record && record.info.revokedAt === null ? record : undefined;
    return secretMatches(claimed.hash, active?.hash) ? active?.info.tenantId : undefined;
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

  #insert(tenantId: string, name: string): { key: string; info: ApiKeyInfo } {
    const { id, hash, key } = newKey();
    const info = { id, tenantId, name, createdAt: new Date(), revokedAt: null };
    this.#keys.set(id, { info, hash, order: this.#keys.size });
    return { key, info: copy(info) };
  }
}
