/**
 * Port: Tier 3, window summaries with embeddings for semantic recall. Every query, count and delete
 * is scoped to one user: one user's summaries never reach another. Writes are idempotent by (user,
 * window). Implemented by ChromaSummaryIndex.
 */
import type { Selection } from "../domain/filter.js";
import type { Summary } from "../domain/types.js";

export interface SummaryHit {
  summary: Summary;
  /** Cosine similarity to the query, 1 for the same direction. */
  similarity: number;
}

export interface SummaryIndex {
  /** Creates what the index needs (collections) ahead of first use. */
  prepare(): Promise<void>;
  /** Writes (or overwrites) each window's summary with its vector. */
  upsert(items: readonly { summary: Summary; embedding: number[] }[]): Promise<void>;
  /**
   * The user's summaries nearest `embedding`, most similar first; with a `scope` or a `filter`, only
   * summaries of windows wholly within or matching it: their sessionId and agentId match, and the
   * filter holds for the metadata every exchange of the window shares and for its time span
   * (`holdsForWindow`).
   */
  query(userId: string, embedding: number[], limit: number, selection?: Selection): Promise<SummaryHit[]>;
  /** The exchange ids each stored window of this user covers, by window index (stored windows only). */
  windowsOf(userId: string, windowIndexes: readonly number[]): Promise<Map<number, string[]>>;
  countForUser(userId: string): Promise<number>;
  /** Deletes these windows' summaries of the user (a window whose exchanges are all gone), wherever kept. */
  deleteWindows(userId: string, windowIndexes: readonly number[]): Promise<void>;
  /** Deletes the user's summaries wherever they are kept (every shard, any earlier layout). */
  deleteUser(userId: string): Promise<void>;
  /** Every user with summaries here, a batch at a time (a user may come twice). */
  scanUsers(): AsyncIterable<string[]>;
}
