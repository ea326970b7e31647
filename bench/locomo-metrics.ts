/** Recall bookkeeping for the LoCoMo benchmark: pure, so it is unit-tested like the rest. */
import type { AssembledContext } from "../shared/memory/assembler/types.js";
import { percentile } from "../shared/util/stats.js";

export const ks = [5, 10, 20] as const;

/** The dia_ids the items cover, in rank order, each once. */
export function rankedDiaIds(
  items: AssembledContext["items"],
  diaIdOf: ReadonlyMap<string, string>,
): string[] {
  return [...new Set(items.flatMap((i) => i.exchangeIds.map((id) => diaIdOf.get(id) ?? "")))];
}

export function recallAt(ranked: readonly string[], evidence: readonly string[], k: number): number {
  const top = new Set(ranked.slice(0, k));
  return evidence.filter((e) => top.has(e)).length / evidence.length;
}

/** Lists of samples by name; summarized as means or percentiles at the end. */
export class Samples {
  private readonly lists = new Map<string, number[]>();
  add(name: string, value: number) {
    const list = this.lists.get(name) ?? [];
    list.push(value);
    this.lists.set(name, list);
  }
  means(prefix: string): Record<string, number> {
    return this.summarize(
      prefix,
      (xs) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000,
    );
  }
  percentiles(prefix: string, q: number): Record<string, number | undefined> {
    return this.summarize(prefix, (xs) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        q,
      ),
    );
  }
  count(prefix: string): Record<string, number> {
    return this.summarize(prefix, (xs) => xs.length);
  }
  private summarize<T>(prefix: string, f: (xs: number[]) => T): Record<string, T> {
    const out: Record<string, T> = {};
    for (const [name, xs] of this.lists) if (name.startsWith(prefix)) out[name.slice(prefix.length)] = f(xs);
    return out;
  }
}

/** Records one answered question: recall at each k, per category, per source alone, and timings. */
export function recordQuestion(
  samples: Samples,
  context: AssembledContext,
  question: { evidence: string[]; category: number },
  diaIdOf: ReadonlyMap<string, string>,
) {
  const ranked = rankedDiaIds(context.items, diaIdOf);
  for (const k of ks) samples.add(`recall:@${k}`, recallAt(ranked, question.evidence, k));
  samples.add(`category:${question.category}`, recallAt(ranked, question.evidence, 10));
  for (const source of ["archive", "semantic", "summary", "graph", "recent"]) {
    const alone = rankedDiaIds(
      context.items.filter((i) => i.source === source),
      diaIdOf,
    );
    samples.add(`alone:${source}`, recallAt(alone, question.evidence, 10));
  }
  samples.add("ms:total", context.totalMs);
  for (const [tier, t] of Object.entries(context.timings))
    if (t.status === "ok") samples.add(`tier:${tier}`, t.ms);
  for (const tier of context.degraded) samples.add(`degraded:${tier}`, 1);
}
