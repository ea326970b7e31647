/**
 * Port: Tier 1, each user's most recent exchanges, newest first, bounded and expiring. Invariant:
 * a user's list holds their newest min(count, capacity) exchanges, or does not exist (a miss).
 * Implemented by RedisRecentCache.
 */
import { type Exchange, scopeOf } from "../domain/types.js";

/**
 * An exchange as the cache holds it: no user id (the key has it), no metadata, time as ISO text;
 * its session and agent when it has them, so a scoped read can filter the list; `kind` only on a
 * note (so it reads as one), `version` only once corrected.
 */
export type CachedExchange = Pick<
  Exchange,
  "id" | "ordinal" | "userMessage" | "botResponse" | "speaker" | "sessionId" | "agentId"
> & {
  createdAt: string;
  kind?: "note";
  version?: number;
};

export interface RecentCache {
  /** List length per user. */
  readonly capacity: number;
  /**
   * Pushes one exchange. Returns false when the list was missing history (expired while the user has
   * older exchanges): the caller then rebuilds it from the archive.
   */
  push(exchange: Exchange): Promise<boolean>;
  /** Newest first; undefined when the user has no list (a miss, not "no history"). */
  recent(userId: string, limit: number): Promise<CachedExchange[] | undefined>;
  /** Replaces the user's list with these exchanges (newest first), atomically. */
  replace(userId: string, newestFirst: readonly Exchange[]): Promise<void>;
  /** Replaces many users' lists at once. */
  replaceMany(lists: ReadonlyMap<string, readonly Exchange[]>): Promise<void>;
  /**
   * Cache-only mode: records `id` under the idempotency key unless one is there. Returns the id
   * stored first, or undefined when this call claimed the key.
   */
  claimIdempotencyKey(userId: string, key: string, id: string): Promise<string | undefined>;
  /** Deletes the user's list and idempotency keys. */
  deleteUser(userId: string): Promise<void>;
  /** Every user with a list or idempotency keys here, a batch at a time (a user may come twice). */
  scanUsers(): AsyncIterable<string[]>;
}

export const toCachedExchange = (e: Exchange): CachedExchange => ({
  id: e.id,
  ordinal: e.ordinal,
  userMessage: e.userMessage,
  botResponse: e.botResponse,
  speaker: e.speaker,
  ...scopeOf(e),
  createdAt: e.createdAt.toISOString(),
  ...(e.kind === "note" ? { kind: "note" as const } : {}),
  ...(e.version > 1 ? { version: e.version } : {}),
});
