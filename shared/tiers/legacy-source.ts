/**
 * Port: the legacy store a migration reads (the original system's one ChromaDB), a page at a time
 * in a fixed order, so batch N of a collection is the same records on every attempt while the store
 * is not written to. Implemented by LegacyChromaSource.
 */

export const legacyCollections = ["user_memories", "global_facts"] as const;
export type LegacyCollection = (typeof legacyCollections)[number];

export type LegacyMetadata = Record<string, string | number | boolean | null>;

export interface LegacyRecord {
  collection: LegacyCollection;
  id: string;
  document: string | null;
  metadata: LegacyMetadata | null;
}

export interface LegacySource {
  /** Records in the collection; 0 when the legacy store has no such collection. */
  count(name: LegacyCollection): Promise<number>;
  page(name: LegacyCollection, offset: number, limit: number): Promise<LegacyRecord[]>;
  /** Records of one legacy user that carry `user_id` in their metadata. */
  byUserId(userId: string): Promise<LegacyRecord[]>;
}
