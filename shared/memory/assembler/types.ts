/** What context assembly takes and returns. */
import type { TierName } from "../../domain/tiers.js";

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
}

export interface ContextItem {
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

/** A candidate before ranking; each tier lists its candidates best first. */
export interface Candidate {
  source: ItemSource;
  text: string;
  timestamp: Date;
  exchangeIds: string[];
}
