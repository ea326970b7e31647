/**
 * Port: the archive, Tier 2 and the source of truth. Every exchange ever stored, numbered per user
 * in store order; storing one also queues it for each projection tier (the outbox) atomically, so
 * nothing derived can be lost. Exchange ids are UUIDs. Implemented by PostgresArchive.
 */

import type { Filter } from "../domain/filter.js";
import type { ProjectionTier } from "../domain/tiers.js";
import type { TimeRange } from "../domain/time.js";
import type {
  Exchange,
  ExchangeInput,
  ExchangeKind,
  ExchangePatch,
  ExchangeVersion,
  Scope,
  SessionInfo,
  Summary,
} from "../domain/types.js";

export interface StoredExchange {
  exchange: Exchange;
  /** True when an earlier store with the same idempotency key already wrote it. */
  duplicate: boolean;
}

/** An exchange a bulk write brings in, with its id and idempotency key already derived. */
export interface NewExchange {
  id: string;
  userId: string;
  /** Default: "exchange". */
  kind?: ExchangeKind;
  userMessage: string;
  botResponse: string;
  speaker?: string;
  sessionId?: string;
  agentId?: string;
  metadata: Record<string, unknown>;
  timestamp: Date;
  idempotencyKey: string;
}

export interface LexicalHit {
  exchange: Exchange;
  rank: number;
}

/** Where a page of the archive listing ends: the (createdAt, ordinal) of its last exchange. */
export interface ArchivePosition {
  createdAt: Date;
  ordinal: number;
}

/** One summary window: a user's exchanges with ordinals windowIndex * size + 1 .. (windowIndex + 1) * size. */
export interface WindowKey {
  userId: string;
  windowIndex: number;
}

/**
 * Which of a user's exchanges a listing returns: after `before`, within `scope`, matching `filter`,
 * and of `kind` (exchanges and notes alike when absent).
 */
export interface RecentQuery {
  before?: ArchivePosition;
  scope?: Scope;
  filter?: Filter;
  kind?: ExchangeKind;
}

/**
 * What narrows a search: exchanges from `periods` rank higher; with a `scope` or a `filter`, only
 * exchanges within or matching it are ranked or returned.
 */
export interface SearchQuery {
  periods?: readonly TimeRange[];
  scope?: Scope;
  filter?: Filter;
}

export interface Archive {
  /**
   * Commits the exchange, numbered after the user's last, with one outbox row per projection. With
   * an idempotency key the user used before, writes nothing and returns that first exchange.
   */
  insertExchange(input: ExchangeInput, projections: readonly ProjectionTier[]): Promise<StoredExchange>;
  /**
   * The bulk write path: numbers each user's new exchanges after their existing ones, oldest first,
   * skipping any (user, idempotency key) already present. Returns what it inserted.
   */
  insertExchanges(
    exchanges: readonly NewExchange[],
    projections: readonly ProjectionTier[],
  ): Promise<Exchange[]>;
  /** Newest first (by time, then by store order), of those the query selects. */
  recent(userId: string, limit: number, query?: RecentQuery): Promise<Exchange[]>;
  /** Each user's newest `limit` exchanges, newest first. */
  recentForUsers(userIds: readonly string[], limit: number): Promise<Map<string, Exchange[]>>;
  /**
   * Word search within one user's exchanges, best first; any query word may match, except that a
   * word in most of the user's exchanges counts only when the query asks for no rarer one. Exchanges
   * from the query's periods and by a speaker the query names (any word of the speaker's name)
   * rank higher; its scope and filter keep out what they do not select.
   */
  search(userId: string, query: string, limit: number, options?: SearchQuery): Promise<LexicalHit[]>;
  /** The user's sessions, the most recently active first (exchanges without a session are in none). */
  sessions(userId: string, limit: number): Promise<SessionInfo[]>;
  /** One exchange or note of the user; undefined for an unknown id or another user's. */
  exchange(userId: string, id: string): Promise<Exchange | undefined>;
  /**
   * Corrects one exchange or note of the user: keeps the version it replaces (with `by` and the
   * time), bumps `version`, and queues one outbox row per projection tier, all in one commit, so
   * every tier recomputes it (and an outage is repaired later). Undefined for an unknown id.
   */
  correctExchange(
    userId: string,
    id: string,
    patch: ExchangePatch,
    by: string,
    projections: readonly ProjectionTier[],
  ): Promise<Exchange | undefined>;
  /** The earlier versions of one exchange or note of the user, oldest first (none for an unknown id). */
  versions(userId: string, id: string): Promise<ExchangeVersion[]>;
  /**
   * Erases one exchange or note of the user, erasure-grade: the row, its versions, outbox rows and
   * idempotency key, and its window's summary row (the erase task rewrites it from what is left),
   * with, in the same commit, one exchange erase task per projection tier (see Erasures). Under the
   * window's lock, as rewriteWindows. Returns what was erased; undefined for an unknown id.
   */
  deleteExchange(
    userId: string,
    id: string,
    projections: readonly ProjectionTier[],
    summaryWindow: number,
  ): Promise<Exchange | undefined>;
  /** These exchanges of the user, in store order; ids of other users are ignored. */
  byIds(userId: string, ids: readonly string[]): Promise<Exchange[]>;
  /** All of the user's exchanges, in store order. */
  allExchanges(userId: string): Promise<Exchange[]>;
  exchangeCount(userId: string): Promise<number>;
  /** Users in id order after `after`, a page at a time. */
  userIds(after: string, limit: number): Promise<string[]>;
  /** The user's window summaries, by window index. */
  summaries(userId: string): Promise<Summary[]>;
  /**
   * Rewrites the summaries of these windows: holds each window's lock (so two rewrites of one window
   * cannot leave the older last), hands `summarize` their exchanges (by user, then ordinal) and
   * saves the summaries it returns, all or nothing. A window with no exchange left (its last one
   * was deleted) loses its summary, and `emptied` is called with such windows under their locks.
   */
  rewriteWindows(
    windows: readonly WindowKey[],
    size: number,
    summarize: (exchanges: Exchange[]) => Promise<Summary[]>,
    emptied?: (windows: WindowKey[]) => Promise<void>,
  ): Promise<void>;
  /**
   * Erases the user and everything of theirs here (exchanges, summaries, outbox rows) and, in the
   * same commit, tombstones them and queues one erase task per projection tier (see Erasures).
   * Returns the exchanges erased. A later store for the same id starts a new user.
   */
  eraseUser(userId: string, projections: readonly ProjectionTier[]): Promise<number>;
  /** Which of these users the archive holds anything of. */
  knownUsers(userIds: readonly string[]): Promise<Set<string>>;
}

/** The advisory lock name of one summary window (a rewrite and an exchange's delete take it). */
export const windowLockKey = (w: WindowKey) => `summary:${w.userId}:${w.windowIndex}`;
