/** In-memory test double of the SummaryIndex port (shared/tiers/summary-index.ts): exact cosine search per user. */
import { holdsForWindow, type Selection } from "../../shared/domain/filter.js";
import { inScope, type Summary } from "../../shared/domain/types.js";
import type { SummaryHit, SummaryIndex } from "../../shared/tiers/summary-index.js";

interface Entry {
  summary: Summary;
  embedding: number[];
}

const copy = (s: Summary): Summary => ({
  ...s,
  exchangeIds: [...s.exchangeIds],
  startAt: new Date(s.startAt),
  endAt: new Date(s.endAt),
  ...(s.metadata ? { metadata: structuredClone(s.metadata) } : {}),
});

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += (a[i] ?? 0) * (b[i] ?? 0);
    na += (a[i] ?? 0) ** 2;
    nb += (b[i] ?? 0) ** 2;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export class InMemorySummaryIndex implements SummaryIndex {
  /** By user and window index. */
  readonly entries = new Map<string, Entry>();

  async prepare(): Promise<void> {}

  async upsert(items: readonly { summary: Summary; embedding: number[] }[]): Promise<void> {
    for (const { summary, embedding } of items)
      this.entries.set(`${summary.userId}\u0000${summary.windowIndex}`, {
        summary: copy(summary),
        embedding: [...embedding],
      });
  }

  async query(
    userId: string,
    embedding: number[],
    limit: number,
    { scope, filter }: Selection = {},
  ): Promise<SummaryHit[]> {
    return this.#of(userId)
      .filter(
        ({ summary: s }) =>
          inScope(s, scope) && (!filter || holdsForWindow(filter, { ...s, metadata: s.metadata ?? {} })),
      )
      .map((e) => ({ summary: copy(e.summary), similarity: cosine(embedding, e.embedding) }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, limit);
  }

  async windowsOf(userId: string, windowIndexes: readonly number[]): Promise<Map<number, string[]>> {
    const wanted = new Set(windowIndexes);
    return new Map(
      this.#of(userId)
        .filter((e) => wanted.has(e.summary.windowIndex))
        .map((e) => [e.summary.windowIndex, [...e.summary.exchangeIds]]),
    );
  }

  async countForUser(userId: string): Promise<number> {
    return this.#of(userId).length;
  }

  async *scanUsers(): AsyncIterable<string[]> {
    const users = [...new Set([...this.entries.values()].map((e) => e.summary.userId))];
    for (let i = 0; i < users.length; i += 100) yield users.slice(i, i + 100);
  }

  async deleteWindows(userId: string, windowIndexes: readonly number[]): Promise<void> {
    for (const w of windowIndexes) this.entries.delete(`${userId}\u0000${w}`);
  }

  async deleteUser(userId: string): Promise<void> {
    for (const [key, e] of this.entries) if (e.summary.userId === userId) this.entries.delete(key);
  }

  #of(userId: string): Entry[] {
    return [...this.entries.values()].filter((e) => e.summary.userId === userId);
  }
}
