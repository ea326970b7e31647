/**
 * What an API key may do. A tenant's key: `read` (context, search, list, export), `write` (store),
 * `erase` (forget a user). An operator key in the console: `read` (look), `write` (actions such as a
 * tier test), `erase` (erase a user). A key made without a choice gets all three.
 */
export const keyScopes = ["read", "write", "erase"] as const;
export type KeyScope = (typeof keyScopes)[number];

export const isKeyScope = (s: string): s is KeyScope => (keyScopes as readonly string[]).includes(s);

/** What a verified key grants. */
export interface KeyGrant {
  tenantId: string;
  scopes: readonly KeyScope[];
  /** When the key stops working; null: never (until revoked). */
  expiresAt: Date | null;
}
