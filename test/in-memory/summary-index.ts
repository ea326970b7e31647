/** In-memory test double of the SummaryIndex port (shared/tiers/summary-index.ts): exact cosine search per user. */
import { holdsForWindow, matchesFilter, type Selection } from "../../shared/domain/filter.js";
import { inScope, type Summary } from "../../shared/domain/types.js";
import type {
  ExchangeHit,
  IndexedExchange,
  SemanticHits,
  SummaryHit,
  SummaryIndex,
} from "../../shared/tiers/summary-index.js";

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

const copyExchange = (e: IndexedExchange): IndexedExchange => ({
  ...e,
  createdAt: new Date(e.createdAt),
  ...(e.metadata ? { metadata: structuredClone(e.metadata) } : {}),
});

export class InMemorySummaryIndex implements SummaryIndex {
  /** By user and window index. */
  readonly entries = new Map<string, Entry>();
  /** By user and exchange id. */
  readonly exchanges = new Map<string, { exchange: IndexedExchange; embedding: number[] }>();

  async prepare(): Promise<void> {}

  async upsert(
    windows: readonly { summary: Summary; embedding: number[] }[],
    exchanges: readonly { exchange: IndexedExchange; embedding: number[] }[] = [],
  ): Promise<void> {
    for (const { summary, embedding } of windows)
      this.entries.set(`${summary.userId}\u0000${summary.windowIndex}`, {
        summary: copy(summary),
        embedding: [...embedding],
      });
    for (const { exchange, embedding } of exchanges)
      this.exchanges.set(`${exchange.userId}\u0000${exchange.exchangeId}`, {
        exchange: copyExchange(exchange),
        embedding: [...embedding],
      });
  }

  async search(
    userId: string,
    embedding: number[],
    limit: number,
    selection: Selection = {},
  ): Promise<SemanticHits> {
    const { scope, filter } = selection;
    const exchanges: ExchangeHit[] = [...this.exchanges.values()]
      .filter(
        ({ exchange: e }) =>
          e.userId === userId &&
          inScope(e, scope) &&
          (!filter || matchesFilter(filter, { ...e, metadata: e.metadata ?? {} })),
      )
      .map((e) => ({ exchange: copyExchange(e.exchange), similarity: cosine(embedding, e.embedding) }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, limit);
    return { windows: await this.query(userId, embedding, limit, selection), exchanges };
  }

  async vectorsOf(userId: string, exchangeIds: readonly string[]): Promise<Map<string, number[]>> {
    const found = new Map<string, number[]>();
    for (const id of exchangeIds) {
      const held = this.exchanges.get(`${userId}\u0000${id}`);
      if (held) found.set(id, [...held.embedding]);
    }
    return found;
  }

  async countExchanges(userId: string): Promise<number> {
    return [...this.exchanges.values()].filter((e) => e.exchange.userId === userId).length;
  }

  async deleteExchanges(userId: string, exchangeIds: readonly string[]): Promise<void> {
    for (const id of exchangeIds) this.exchanges.delete(`${userId}\u0000${id}`);
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
    const users = [
      ...new Set([
        ...[...this.entries.values()].map((e) => e.summary.userId),
        ...[...this.exchanges.values()].map((e) => e.exchange.userId),
      ]),
    ];
    for (let i = 0; i < users.length; i += 100) yield users.slice(i, i + 100);
  }

  async deleteWindows(userId: string, windowIndexes: readonly number[]): Promise<void> {
    for (const w of windowIndexes) this.entries.delete(`${userId}\u0000${w}`);
  }

  async deleteUser(userId: string): Promise<void> {
    for (const [key, e] of this.entries) if (e.summary.userId === userId) this.entries.delete(key);
    for (const [key, e] of this.exchanges) if (e.exchange.userId === userId) this.exchanges.delete(key);
  }

  #of(userId: string): Entry[] {
    return [...this.entries.values()].filter((e) => e.summary.userId === userId);
  }
}
