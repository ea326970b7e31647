/**
 * Ranking across tiers by reciprocal rank fusion (RRF): every tier ranks its own candidates by its
 * own signal (BM25, cosine similarity, graph matches, recency), and an exchange earns
 * weight / (K + rank) from each list it appears in, so agreement between tiers lifts it. A window
 * summary also votes for the exchanges inside it. Time decay then breaks near-ties. Ranks, unlike
 * raw scores, compare across tiers without calibration. Pure functions, unit-tested without services.
 */
import { inScope, type Scope, scopeOf } from "../../domain/types.js";
import { terms } from "../../util/text.js";
import type { Candidate, ContextItem, ItemSource } from "./types.js";

/**
 * RRF's rank constant. The literature's 60 flattens the head of each list; 5 keeps a tier's first
 * hits clearly ahead (LoCoMo recall@10: 0.48 with 60, 0.55 with 5).
 */
const K = 5;

/**
 * How much one rank in each tier's list counts. The archive's contextual BM25 is the strongest
 * single signal (LoCoMo recall@10 0.72 alone); the other tiers may lift an exchange they agree on
 * but must not push the archive's best hits out: with summary 0.3, recent 0.5 and a full summary
 * vote, fusion scored 0.62, below the archive alone.
 */
export const sourceWeights: Record<ItemSource, number> = {
  archive: 1,
  // A real model's nearest exchanges: the words they share with the question need not be the same.
  semantic: 0.7,
  // A summary item spends several exchanges' worth of context: it must earn its place.
  summary: 0.1,
  graph: 0.1,
  recent: 0.1,
};
/**
 * How much a claim's rank counts (a graph fact that holds now, "User lives in Porto."): it answers a
 * question about its slot directly, so it ranks among the archive's hits, at half their weight.
 */
const claimWeight = 0.5;
/** How much a summary's rank counts for each exchange inside it, relative to an archive rank. */
const summaryVote = 0.1;
/** Score factor for an exchange whose claims no longer hold: what holds now ranks first. */
export const supersededFactor = 0.5;
/** Score factor for a candidate within the scope a request prefers (not restricts to). */
export const preferredScopeBoost = 2;

export interface DecayOptions {
  halfLifeDays: number;
  /** Lowest factor: 1 disables decay; close to 1 makes age a tie-breaker. */
  floor: number;
}

export function timeDecay(timestamp: Date, now: Date, { halfLifeDays, floor }: DecayOptions): number {
  const ageDays = Math.max(0, now.getTime() - timestamp.getTime()) / 86_400_000;
  return floor + (1 - floor) * 0.5 ** (ageDays / halfLifeDays);
}

/**
 * Fuses the tiers' ranked lists (candidates of one source in rank order) into one ranking, one item
 * per exchange (its full text preferred over a fact drawn from it), plus summaries and claims; then drops what
 * adds nothing: summaries whose exchanges are all already in, and near-duplicate texts.
 */
export function rankAndDedupe(
  candidates: readonly Candidate[],
  now: Date,
  decay: DecayOptions,
  prefer?: Scope,
): ContextItem[] {
  const favour = (c: Candidate) =>
    (prefer && inScope(c, prefer) ? preferredScopeBoost : 1) * (c.superseded ? supersededFactor : 1);
  const rankIn = new Map<ItemSource, number>();
  const votes = new Map<string, number>();
  const best = new Map<string, { c: Candidate; contribution: number }>();
  const summaries: { c: Candidate; rrf: number }[] = [];
  for (const c of candidates) {
    // A source weighed 0 is off (an ablation): its candidates neither vote nor show.
    if (sourceWeights[c.source] === 0) continue;
    const rank = rankIn.get(c.source) ?? 0;
    rankIn.set(c.source, rank + 1);
    const rrf = sourceWeights[c.source] / (K + rank);
    if (c.source === "summary") {
      summaries.push({ c, rrf });
      for (const id of c.exchangeIds)
        votes.set(id, (votes.get(id) ?? 0) + (summaryVote * rrf) / sourceWeights.summary);
      continue;
    }
    const id = c.exchangeIds[0];
    if (id === undefined) continue;
    votes.set(id, (votes.get(id) ?? 0) + rrf);
    if (c.claim) {
      // What holds now, said as a fact: an item of its own beside its exchange's text.
      const key = `claim\u001f${id}\u001f${c.text}`;
      const weight = (claimWeight * rrf) / sourceWeights.graph;
      votes.set(key, weight);
      best.set(key, { c, contribution: weight });
      continue;
    }
    const held = best.get(id);
    if (!held || preferText(c, rrf, held)) best.set(id, { c, contribution: rrf });
  }
  const scored = [
    ...[...best.entries()].map(([id, { c }]) => ({
      c,
      score: (votes.get(id) ?? 0) * timeDecay(c.timestamp, now, decay) * favour(c),
    })),
    ...summaries.map(({ c, rrf }) => ({ c, score: rrf * timeDecay(c.timestamp, now, decay) * favour(c) })),
  ].sort((a, b) => b.score - a.score);
  const top = scored[0]?.score || 1;
  return dedupe(scored.map(({ c, score }) => ({ c, score: score / top })));
}

/** An exchange's own text (archive, recent) beats a fact drawn from it; otherwise the stronger vote. */
function preferText(c: Candidate, rrf: number, held: { c: Candidate; contribution: number }): boolean {
  const full = (s: ItemSource) => s === "archive" || s === "recent" || s === "semantic";
  if (full(c.source) !== full(held.c.source)) return full(c.source);
  return rrf > held.contribution;
}

function dedupe(ranked: readonly { c: Candidate; score: number }[]): ContextItem[] {
  const covered = new Set<string>();
  const texts: Set<string>[] = [];
  const items: ContextItem[] = [];
  for (const { c, score } of ranked) {
    if (!c.claim && c.exchangeIds.length > 0 && c.exchangeIds.every((id) => covered.has(id))) continue;
    const words = new Set(terms(c.text));
    if (texts.some((seen) => nearDuplicate(seen, words))) continue;
    if (!c.claim) for (const id of c.exchangeIds) covered.add(id);
    texts.push(words);
    items.push({
      source: c.source,
      text: c.text,
      timestamp: c.timestamp.toISOString(),
      score: Math.round(score * 10_000) / 10_000,
      exchangeIds: c.exchangeIds,
      ...scopeOf(c),
      ...(c.validFrom ? { validFrom: c.validFrom.toISOString() } : {}),
      ...(c.invalidAt ? { invalidAt: c.invalidAt.toISOString() } : {}),
      ...(c.superseded ? { superseded: true } : {}),
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

function nearDuplicate(a: ReadonlySet<string>, b: ReadonlySet<string>, threshold = 0.85): boolean {
  if (a.size === 0 || b.size === 0) return false;
  // Jaccard is at most the smaller size over the larger: most pairs are decided without a look inside.
  if (Math.min(a.size, b.size) / Math.max(a.size, b.size) < threshold) return false;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter) >= threshold;
}
