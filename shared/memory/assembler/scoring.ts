/**
 * Ranking: score = relevance x time decay x source weight. Relevance mixes the tier's own signal
 * (full-text rank, cosine similarity, graph matches) with the share of query terms an item covers,
 * so items from different tiers are comparable. Pure functions, unit-tested without services.
 */
import { terms } from "../../processing/text.js";
import type { Candidate, ContextItem, ItemSource } from "./types.js";

export const sourceWeights: Record<ItemSource, number> = {
  recent: 1,
  archive: 0.95,
  graph: 0.85,
  summary: 0.8,
};

export interface DecayOptions {
  halfLifeDays: number;
  /** Lowest factor, so an old but relevant memory still surfaces. */
  floor: number;
}

export function timeDecay(timestamp: Date, now: Date, { halfLifeDays, floor }: DecayOptions): number {
  const ageDays = Math.max(0, now.getTime() - timestamp.getTime()) / 86_400_000;
  return floor + (1 - floor) * 0.5 ** (ageDays / halfLifeDays);
}

/** Share of the query's distinct terms that occur in `text` (0 when the query has none). */
export function termCoverage(queryTerms: ReadonlySet<string>, text: string): number {
  if (queryTerms.size === 0) return 0;
  const present = new Set(terms(text));
  let hits = 0;
  for (const t of queryTerms) if (present.has(t)) hits++;
  return hits / queryTerms.size;
}

export function score(
  candidate: Candidate,
  queryTerms: ReadonlySet<string>,
  now: Date,
  decay: DecayOptions,
): number {
  const coverage = termCoverage(queryTerms, candidate.text);
  // Recent messages matter for continuity even when they share no word with the query.
  const floor = candidate.source === "recent" ? 0.1 : 0;
  const relevance = Math.max(floor, 0.5 * candidate.relevance + 0.5 * coverage);
  return relevance * timeDecay(candidate.timestamp, now, decay) * sourceWeights[candidate.source];
}

/**
 * Ranks, then drops what adds nothing: the same exchange seen through several tiers (the best copy
 * stays), graph facts whose exchange is already in, summaries whose exchanges are all already in,
 * and near-duplicate texts.
 */
export function rankAndDedupe(
  candidates: readonly Candidate[],
  queryTerms: ReadonlySet<string>,
  now: Date,
  decay: DecayOptions,
): ContextItem[] {
  const ranked = candidates
    .map((c) => ({ c, score: score(c, queryTerms, now, decay) }))
    .sort((a, b) => b.score - a.score);
  const covered = new Set<string>();
  const texts: Set<string>[] = [];
  const items: ContextItem[] = [];
  for (const { c, score: s } of ranked) {
    if (c.exchangeIds.length > 0 && c.exchangeIds.every((id) => covered.has(id))) continue;
    const words = new Set(terms(c.text));
    if (texts.some((seen) => jaccard(seen, words) >= 0.85)) continue;
    for (const id of c.exchangeIds) covered.add(id);
    texts.push(words);
    items.push({
      source: c.source,
      text: c.text,
      timestamp: c.timestamp.toISOString(),
      score: Math.round(s * 10_000) / 10_000,
      exchangeIds: c.exchangeIds,
    });
  }
  return items;
}

/** Keeps the best items up to `maxItems` and, when given, `tokenBudget` (4 characters a token). */
export function cut(items: readonly ContextItem[], maxItems: number, tokenBudget?: number): ContextItem[] {
  const kept: ContextItem[] = [];
  let tokens = 0;
  for (const item of items) {
    if (kept.length >= maxItems) break;
    const cost = Math.ceil(item.text.length / 4);
    if (tokenBudget !== undefined && tokens + cost > tokenBudget) continue;
    tokens += cost;
    kept.push(item);
  }
  return kept;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
