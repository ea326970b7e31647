/** What context assembly takes and returns. */

import type { Filter } from "../../domain/filter.js";
import type { TierName } from "../../domain/tiers.js";
import type { Scope } from "../../domain/types.js";

/** Where an item came from; `semantic`: an exchange the model found similar to the question (Chroma). */
export type ItemSource = "recent" | "archive" | "semantic" | "summary" | "graph";

export interface ContextRequest {
  userId: string;
  currentQuery: string;
  /** Default 20. */
  maxRecentMessages?: number;
  /** Lexical and semantic hits per tier. Default 10. */
  maxArchiveConversations?: number;
  /** Default: MAX_CONTEXT_ITEMS. */
  maxItems?: number;
  /** Optional cap in tokens (about 4 characters each). Default: CONTEXT_TOKEN_BUDGET, if set. */
  tokenBudget?: number;
  /** The moment to decay from. Default: `asOf`, else now. */
  now?: Date;
  /**
   * The memory as it stood then: facts that held at that moment (not those that hold now), recent
   * exchanges up to it, and nothing stored after it. Default: now.
   */
  asOf?: Date;
  /** A session and/or agent to keep to (`only`, the default) or to rank higher (`prefer`). */
  scope?: Scope;
  scopeMode?: ScopeMode;
  /** Only what matches, in every tier (a tier that cannot apply it is skipped, never ignored). */
  filter?: Filter;
}

/** `only`: every tier is asked for what is within the scope; `prefer`: everything, in scope first. */
export type ScopeMode = "only" | "prefer";

export interface ContextItem extends Scope {
  source: ItemSource;
  text: string;
  timestamp: string;
  score: number;
  exchangeIds: string[];
  /** A graph fact's validity: since when it holds, and when a later statement ended it (ISO 8601). */
  validFrom?: string;
  invalidAt?: string;
  /** An exchange whose claims later statements superseded: what was said, no longer what holds. */
  superseded?: boolean;
}

export interface TierTiming {
  status: "ok" | "error" | "late" | "disabled" | "skipped";
  ms: number;
  items: number;
  /** Why it failed, as a code ("unreachable", "timeout", ...); the details are in the log. */
  error?: string;
}

export interface AssembledContext {
  userId: string;
  items: ContextItem[];
  /** Enabled tiers that failed or missed the deadline; their items are missing. */
  degraded: TierName[];
  timings: Record<TierName, TierTiming>;
  totalMs: number;
  candidates: number;
}

/** A candidate before ranking; each tier lists its candidates best first. Its scope, when it has one. */
export interface Candidate extends Scope {
  source: ItemSource;
  text: string;
  timestamp: Date;
  exchangeIds: string[];
  validFrom?: Date;
  invalidAt?: Date;
  /** A graph fact that is a claim: an item of its own, shown beside its exchange's text. */
  claim?: boolean;
  /** An exchange whose every claim a later one superseded: ranked lower. */
  superseded?: boolean;
}
