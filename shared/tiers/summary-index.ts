/**
 * Port: Tier 3, semantic recall. It keeps two kinds of vectors per user: each window's summary (the
 * window's whole text embedded) and each exchange on its own (a question finds the one sentence that
 * answers it, which a window's vector blurs). Every query, count and delete is scoped to one user: one
 * user's vectors never reach another. Writes are idempotent by (user, window) and (user, exchange).
 * Implemented by ChromaSummaryIndex.
 */
import type { Selection } from "../domain/filter.js";
import type { Metadata, Scope, Summary } from "../domain/types.js";

export interface SummaryHit {
  summary: Summary;
  /** Cosine similarity to the query, 1 for the same direction. */
  similarity: number;
}

/** One exchange as the index keeps it: enough to show it, scope it and filter it without the archive. */
export interface IndexedExchange extends Scope {
  userId: string;
  exchangeId: string;
  /** The window it falls in (its summary's window). */
  windowIndex: number;
  text: string;
  createdAt: Date;
  metadata?: Metadata;
}

export interface ExchangeHit {
  exchange: IndexedExchange;
  similarity: number;
}

/** What one semantic search finds: windows and single exchanges, each most similar first. */
export interface SemanticHits {
  windows: SummaryHit[];
  exchanges: ExchangeHit[];
}

export interface SummaryIndex {
  /** Creates what the index needs (collections) ahead of first use. */
  prepare(): Promise<void>;
  /** Writes (or overwrites) each window's summary, and each exchange given, with its vector. */
  upsert(
    windows: readonly { summary: Summary; embedding: number[] }[],
    exchanges?: readonly { exchange: IndexedExchange; embedding: number[] }[],
  ): Promise<void>;
  /**
   * The user's summaries nearest `embedding`, most similar first; with a `scope` or a `filter`, only
   * summaries of windows wholly within or matching it: their sessionId and agentId match, and the
   * filter holds for the metadata every exchange of the window shares and for its time span
   * (`holdsForWindow`).
   */
  query(userId: string, embedding: number[], limit: number, selection?: Selection): Promise<SummaryHit[]>;
  /**
   * The user's windows and exchanges nearest `embedding` in one search, at most `limit` of each kind
   * (fewer when the other kind is nearer); windows selected as `query` selects them, exchanges by
   * their own scope, metadata and time (`matchesFilter`).
   */
  search(userId: string, embedding: number[], limit: number, selection?: Selection): Promise<SemanticHits>;
  /** The vectors held of these exchanges of the user, by exchange id (those it holds). */
  vectorsOf(userId: string, exchangeIds: readonly string[]): Promise<Map<string, number[]>>;
  /** The exchange ids each stored window of this user covers, by window index (stored windows only). */
  windowsOf(userId: string, windowIndexes: readonly number[]): Promise<Map<number, string[]>>;
  /** How many window summaries the user has here. */
  countForUser(userId: string): Promise<number>;
  /** How many single exchanges the user has here. */
  countExchanges(userId: string): Promise<number>;
  /** Deletes these windows' summaries of the user (a window whose exchanges are all gone), wherever kept. */
  deleteWindows(userId: string, windowIndexes: readonly number[]): Promise<void>;
  /** Deletes these exchanges' vectors of the user (a deleted memory), wherever kept. */
  deleteExchanges(userId: string, exchangeIds: readonly string[]): Promise<void>;
  /** Deletes everything of the user's wherever it is kept (every shard, any earlier layout). */
  deleteUser(userId: string): Promise<void>;
  /** Every user with summaries here, a batch at a time (a user may come twice). */
  scanUsers(): AsyncIterable<string[]>;
}
