/**
 * Port: Tier 4, what users told us as entities and facts. Everything is scoped to one user, and
 * applying an exchange twice changes nothing. A fact with a claim holds from its exchange's time
 * until the next claim in its slot (see `supersedes`), whatever order exchanges were applied in.
 * Implemented by Neo4jKnowledgeGraph.
 */
import type { Filter } from "../domain/filter.js";
import type { Exchange, Extraction, Metadata, Scope } from "../domain/types.js";

export interface GraphFact extends Scope {
  text: string;
  exchangeId: string;
  at: Date;
  /** Its exchange's metadata, which a filter looks at (with `at` as the time). */
  metadata: Metadata;
  /** When it started to hold: its exchange's time (the same as `at`). */
  validFrom: Date;
  /** When a later claim in its slot ended it; absent while it holds. */
  invalidAt?: Date;
  /** The exchange whose claim ended it. */
  endedBy?: string;
  /** A claim's slot (subject and relation); absent for a fact that is no claim. */
  slot?: string;
  /** Names of the asked-for entities the fact is about. */
  about: string[];
  hits: number;
}

/**
 * A node's properties as exported: every node has `uid` and `userId`; an entity has `key`, `name`
 * and `kind` (as first seen: a later mention does not rename it); a fact has `exchangeId`, `text`,
 * `at` and `validFrom` (epoch ms, the same), and when it came from a claim `slot`, `relation`,
 * `value`, `negated`, `ordinal` and `index` (its place in its exchange), and once ended `invalidAt`
 * (epoch ms) and `endedBy` (an exchange id).
 */
export type GraphNode = Record<string, unknown>;

export interface KnowledgeGraph {
  /** Creates constraints and indexes ahead of first use. */
  prepare(): Promise<void>;
  /** Merges each exchange's entities, facts and relations. */
  applyMany(items: readonly { exchange: Exchange; extraction: Extraction }[]): Promise<void>;
  /**
   * Facts about any of the entity `keys`, most (distinct names of) entities matched first, then
   * newest; with `scope`, only facts stated in exchanges within it; with `filter`, only facts whose
   * exchange's metadata and time match; only facts that hold now, or with `asOf` those that held
   * then. Each fact carries its exchange's session, agent and metadata.
   */
  factsFor(
    userId: string,
    keys: readonly string[],
    limit: number,
    options?: FactsQuery,
  ): Promise<GraphFact[]>;
  /**
   * Removes what these exchanges of the user stated: their facts, their part in relations, entities
   * left with neither a fact nor a relation, and re-derives the slots they touched (a fact one of them
   * had ended holds again). Another user's graph is never touched; unknown ids are ignored.
   */
  removeExchanges(userId: string, exchangeIds: readonly string[]): Promise<void>;
  /** How many facts each of these exchanges produced. */
  factCounts(userId: string, exchangeIds: readonly string[]): Promise<Map<string, number>>;
  counts(userId: string): Promise<{ entities: number; facts: number }>;
  /** Everything of the user, each list in a stable order, so two exports compare equal. */
  exportUser(userId: string): Promise<{ entities: GraphNode[]; facts: GraphNode[] }>;
  deleteUser(userId: string): Promise<void>;
  /** Every user with nodes here, a batch at a time (a user may come twice). */
  scanUsers(): AsyncIterable<string[]>;
}

/** What factsFor keeps to. */
export interface FactsQuery {
  /** Only facts stated in exchanges within this session and/or agent. */
  scope?: Scope;
  /** Only facts whose exchange's metadata and time match. */
  filter?: Filter;
  /** Facts that held at this moment (validFrom <= asOf < invalidAt). Default: those that hold now. */
  asOf?: Date;
}

/** A claim's place in its slot's order: its exchange's time, then ordinal, exchange id, index in it. */
export interface ClaimOrder {
  at: number;
  ordinal: number;
  exchangeId: string;
  index: number;
  value: string;
  relation: string;
  negated: boolean;
}

/** Orders two claims of one slot, earliest first (deterministic, whatever order they were applied in). */
export const claimOrder = (a: ClaimOrder, b: ClaimOrder) =>
  a.at - b.at ||
  a.ordinal - b.ordinal ||
  (a.exchangeId < b.exchangeId ? -1 : a.exchangeId > b.exchangeId ? 1 : 0) ||
  a.index - b.index;

/**
 * Whether a later claim `next` ends `fact` in their slot: a positive claim ends whatever says
 * something else (a new value, or a negation it reverses); a negation ends only the claim of the
 * value it denies. Saying the same again ends nothing (the first statement keeps its validFrom).
 */
export const supersedes = (next: ClaimOrder, fact: ClaimOrder) => {
  const same = next.negated === fact.negated && next.relation === fact.relation && next.value === fact.value;
  return !same && (!next.negated || (next.relation === fact.relation && next.value === fact.value));
};

/** Separates the parts of a node id (a character no user id or entity key contains). */
export const uidSeparator = "\u001f";

/** Node ids: the user's id, then the parts; deterministic, so replaying an exchange merges. */
export const graphUid = (userId: string, ...parts: (string | number)[]) =>
  [userId, ...parts].join(uidSeparator);
