/**
 * Port: Tier 4, what users told us as entities and facts. Everything is scoped to one user, and
 * applying an exchange twice changes nothing. Implemented by Neo4jKnowledgeGraph.
 */
import type { Exchange, Extraction, Scope } from "../domain/types.js";

export interface GraphFact extends Scope {
  text: string;
  exchangeId: string;
  at: Date;
  /** Names of the asked-for entities the fact is about. */
  about: string[];
  hits: number;
}

/**
 * A node's properties as exported: every node has `uid` and `userId`; an entity has `key`, `name`
 * and `kind` (as first seen: a later mention does not rename it); a fact has `exchangeId`, `text` and
 * `at` (epoch ms).
 */
export type GraphNode = Record<string, unknown>;

export interface KnowledgeGraph {
  /** Creates constraints and indexes ahead of first use. */
  prepare(): Promise<void>;
  /** Merges each exchange's entities, facts and relations. */
  applyMany(items: readonly { exchange: Exchange; extraction: Extraction }[]): Promise<void>;
  /**
   * Facts about any of the entity `keys`, most (distinct names of) entities matched first, then
   * newest; with a `scope`, only facts stated in exchanges within it. Each fact carries its
   * exchange's session and agent.
   */
  factsFor(userId: string, keys: readonly string[], limit: number, scope?: Scope): Promise<GraphFact[]>;
  /** How many facts each of these exchanges produced. */
  factCounts(userId: string, exchangeIds: readonly string[]): Promise<Map<string, number>>;
  counts(userId: string): Promise<{ entities: number; facts: number }>;
  /** Everything of the user, each list in a stable order, so two exports compare equal. */
  exportUser(userId: string): Promise<{ entities: GraphNode[]; facts: GraphNode[] }>;
  deleteUser(userId: string): Promise<void>;
  /**
   * Deletes the facts these exchanges of the user stated, their part in relations (a relation no
   * exchange states any more goes), and entities left with no fact and no relation.
   */
  removeExchanges(userId: string, exchangeIds: readonly string[]): Promise<void>;
  /** Every user with nodes here, a batch at a time (a user may come twice). */
  scanUsers(): AsyncIterable<string[]>;
}

/** Separates the parts of a node id (a character no user id or entity key contains). */
export const uidSeparator = "\u001f";

/** Node ids: the user's id, then the parts; deterministic, so replaying an exchange merges. */
export const graphUid = (userId: string, ...parts: (string | number)[]) =>
  [userId, ...parts].join(uidSeparator);
