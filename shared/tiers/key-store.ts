/**
 * Port: API keys per tenant. A key reads `hm_<id>_<secret>`: the id finds the record, the secret is
 * kept only as a SHA-256 hash and compared in constant time. The plain key exists once, at creation.
 * Implemented by PostgresKeyStore; the helpers below are the key format both sides share.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { tenantIdPattern, tenantIdRule } from "../domain/identity.js";
import { type KeyGrant, type KeyScope, keyScopes } from "../domain/scopes.js";
import { InvalidInputError } from "../errors/memory-error.js";

export interface ApiKeyInfo {
  id: string;
  tenantId: string;
  name: string;
  scopes: KeyScope[];
  createdAt: Date;
  /** Null: the key does not expire. */
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface NewKeyOptions {
  /** What the key may do; default all of read, write and erase. */
  scopes?: readonly KeyScope[];
  /** When it stops working (in the future); default never. */
  expiresAt?: Date;
}

export interface KeyStore {
  /** A tenant's key; throws InvalidInputError for a tenant id that is not one, or bad options. */
  create(tenantId: string, name: string, options?: NewKeyOptions): Promise<{ key: string; info: ApiKeyInfo }>;
  /** A key for the operator console (tenant `_admin`), which opens nothing else. */
  createAdmin(name: string, options?: NewKeyOptions): Promise<{ key: string; info: ApiKeyInfo }>;
  /** What a valid key grants (unrevoked, not expired); undefined for anything else. */
  verify(key: string): Promise<KeyGrant | undefined>;
  list(tenantId?: string): Promise<ApiKeyInfo[]>;
  /** True when the key was active and now is not. */
  revoke(id: string): Promise<boolean>;
}

const keyPattern = /^hm_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest();

/** A fresh key: its id, its secret's hash, and the plain key to show once. */
export function newKey(): { id: string; hash: Buffer; key: string } {
  const id = randomBytes(9)
    .toString("base64url")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "0")
    .slice(0, 12);
  const secret = randomBytes(32).toString("base64url");
  return { id, hash: hashSecret(secret), key: `hm_${id}_${secret}` };
}

/** The id and secret hash a key claims, or undefined for text that is not a key. */
export function parseKey(key: string): { id: string; hash: Buffer } | undefined {
  const match = keyPattern.exec(key);
  return match ? { id: match[1] ?? "", hash: hashSecret(match[2] ?? "") } : undefined;
}

/** Compares in constant time, also when there is no record, so timing does not tell which ids exist. */
export function secretMatches(given: Buffer, stored: Buffer | undefined): boolean {
  return timingSafeEqual(given, stored ?? Buffer.alloc(given.length)) && stored !== undefined;
}

/** Refuses what is not a tenant id (the operator tenant included: createAdmin makes those keys). */
export function checkTenant(tenantId: string): void {
  if (!tenantIdPattern.test(tenantId))
    throw new InvalidInputError(`tenant id must be ${tenantIdRule}`, { field: "tenantId" });
}

/** The scopes and expiry a new key gets; InvalidInputError for none, unknown or past ones. */
export function checkKeyOptions(options: NewKeyOptions = {}, now = new Date()) {
  const scopes = options.scopes ?? keyScopes;
  const unknown = scopes.filter((s) => !(keyScopes as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0)
    throw new InvalidInputError(`scopes must be one or more of ${keyScopes.join(", ")}`, { field: "scopes" });
  const expiresAt = options.expiresAt ?? null;
  if (expiresAt && !(expiresAt.getTime() > now.getTime()))
    throw new InvalidInputError("expiresAt must be in the future", { field: "expiresAt" });
  // In the canonical order, each once.
  return { scopes: keyScopes.filter((s) => scopes.includes(s)), expiresAt };
}
