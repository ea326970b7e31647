/** What context assembly takes and returns. */

import type { Filter } from "../../domain/filter.js";
import type { TierName } from "../../domain/tiers.js";
import type { Scope } from "../../domain/types.js";

export type ItemSource = "recent" | "archive" | "summary" | "graph";

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
  /** The moment to decay from. Default: now. */
  now?: Date;
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
}
