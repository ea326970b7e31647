/** In-memory test double of the Archive port (shared/tiers/archive.ts), over the shared InMemoryDatabase. */

import { matchesFilter, type Selection } from "../../shared/domain/filter.js";
import type { ProjectionTier } from "../../shared/domain/tiers.js";
import {
  type Exchange,
  type ExchangeInput,
  type ExchangePatch,
  type ExchangeVersion,
  inScope,
  type SessionInfo,
  type Summary,
  scopeOf,
} from "../../shared/domain/types.js";
import { windowIndexOf } from "../../shared/memory/projection/windows.js";
import type {
  Archive,
  ArchivePosition,
  LexicalHit,
  NewExchange,
  RecentQuery,
  SearchQuery,
  StoredExchange,
  WindowKey,
} from "../../shared/tiers/archive.js";
import { contentWords, stem, terms, words } from "../../shared/util/text.js";
import { copyExchange, eraseTaskKey, type InMemoryDatabase, summaryKey, viaJson } from "./database.js";

/** As the real search: a period counts a few days wide each way, since dates people give are loose. */
const periodSlackMs = 3 * 86_400_000;

const newestFirst = (a: Exchange, b: Exchange) =>
  b.createdAt.getTime() - a.createdAt.getTime() || b.ordinal - a.ordinal;

const selects =
  ({ scope, filter }: Selection) =>
  (e: Exchange) =>
    inScope(e, scope) && (!filter || matchesFilter(filter, e));

const isBefore = (e: Exchange, p: ArchivePosition) =>
  e.createdAt.getTime() < p.createdAt.getTime() ||
  (e.createdAt.getTime() === p.createdAt.getTime() && e.ordinal < p.ordinal);

export class InMemoryArchive implements Archive {
  readonly #db: InMemoryDatabase;
  /** One rewrite at a time: the real archive holds each window's lock while `summarize` runs. */
  #rewrites: Promise<unknown> = Promise.resolve();

  constructor(db: InMemoryDatabase) {
    this.#db = db;
  }

  async insertExchange(
    input: ExchangeInput,
    projections: readonly ProjectionTier[],
  ): Promise<StoredExchange> {
    const key = input.idempotencyKey;
    const existing = key === undefined ? undefined : this.#db.byIdempotencyKey(input.userId, key);
    if (existing) return { exchange: copyExchange(existing), duplicate: true };
    const exchange = this.#db.insert(
      {
        id: crypto.randomUUID(),
        userId: input.userId,
        kind: input.kind ?? "exchange",
        userMessage: input.userMessage,
        botResponse: input.botResponse,
        speaker: input.speaker,
        ...scopeOf(input),
        metadata: input.metadata ?? {},
        createdAt: new Date(input.timestamp ?? Date.now()),
      },
      projections,
      { idempotencyKey: key },
    );
    return { exchange, duplicate: false };
  }

  async insertExchanges(exchanges: readonly NewExchange[], projections: readonly ProjectionTier[]) {
    return this.#db.insertMany(this.#db.freshOf(exchanges), projections);
  }

  async recent(
    userId: string,
    limit: number,
    { before, kind, ...selection }: RecentQuery = {},
  ): Promise<Exchange[]> {
    const selected = selects(selection);
    return this.#exchangesOf(userId)
      .filter((e) => (!before || isBefore(e, before)) && (!kind || e.kind === kind) && selected(e))
      .sort(newestFirst)
      .slice(0, limit);
  }

  async recentForUsers(userIds: readonly string[], limit: number): Promise<Map<string, Exchange[]>> {
    return new Map(await Promise.all(userIds.map(async (u) => [u, await this.recent(u, limit)] as const)));
  }

  /** Word search with a BM25-like score (rarer words weigh more), then the speaker and period boosts. */
  async search(
    userId: string,
    query: string,
    limit: number,
    { periods = [], ...selection }: SearchQuery = {},
  ) {
    const queryWords = new Set([...new Set(contentWords(query))].slice(0, 32));
    const queryTerms = new Set([...queryWords].map(stem));
    const scoped = this.#exchangesOf(userId).filter(selects(selection));
    // Document frequencies over all the user's exchanges, as the real one counts them.
    const all = this.#exchangesOf(userId).map((e) => terms(`${e.userMessage} ${e.botResponse}`));
    const docs = scoped.map((e) => ({
      e,
      terms: terms(`${e.userMessage} ${e.botResponse}`),
    }));
    const df = new Map<string, number>();
    for (const d of all) for (const t of new Set(d)) if (queryTerms.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
    const hits: LexicalHit[] = [];
    for (const { e, terms: docTerms } of docs) {
      let rank = 0;
      for (const [t, n] of df) {
        const tf = docTerms.filter((x) => x === t).length;
        const idf = Math.log(1 + (all.length - n + 0.5) / (n + 0.5));
        if (tf > 0) rank += (idf * tf * 2.2) / (tf + 1.2);
      }
      if (rank === 0) continue;
      if (e.speaker && words(e.speaker).some((w) => queryWords.has(w))) rank *= 2;
      const at = e.createdAt.getTime();
      if (
        periods.some((p) => at >= p.start.getTime() - periodSlackMs && at < p.end.getTime() + periodSlackMs)
      )
        rank *= 3;
      hits.push({ exchange: e, rank });
    }
    return hits.sort((a, b) => b.rank - a.rank || b.exchange.ordinal - a.exchange.ordinal).slice(0, limit);
  }

  async sessions(userId: string, limit: number): Promise<SessionInfo[]> {
    const bySession = Map.groupBy(
      this.#exchangesOf(userId).filter((e) => e.sessionId !== undefined),
      (e) => e.sessionId as string,
    );
    return [...bySession.entries()]
      .map(([sessionId, list]) => {
        const times = list.map((e) => e.createdAt.getTime());
        const agents = new Set(list.flatMap((e) => (e.agentId ? [e.agentId] : [])));
        return {
          sessionId,
          firstAt: new Date(Math.min(...times)),
          lastAt: new Date(Math.max(...times)),
          exchanges: list.length,
          agentIds: [...agents].sort(),
        };
      })
      .sort((a, b) => b.lastAt.getTime() - a.lastAt.getTime() || (a.sessionId < b.sessionId ? -1 : 1))
      .slice(0, limit);
  }

  async exchange(userId: string, id: string): Promise<Exchange | undefined> {
    const row = this.#db.exchanges.get(id);
    return row && row.exchange.userId === userId ? copyExchange(row.exchange) : undefined;
  }

  async correctExchange(
    userId: string,
    id: string,
    patch: ExchangePatch,
    by: string,
    projections: readonly ProjectionTier[],
  ): Promise<Exchange | undefined> {
    const row = this.#db.exchanges.get(id);
    if (!row || row.exchange.userId !== userId) return undefined;
    const before = row.exchange;
    const { speaker } = before;
    row.versions = [
      ...(row.versions ?? []),
      {
        version: before.version,
        userMessage: before.userMessage,
        botResponse: before.botResponse,
        ...(speaker === undefined ? {} : { speaker }),
        ...scopeOf(before),
        metadata: viaJson(before.metadata),
        changedBy: by,
        changedAt: new Date(),
      },
    ];
    const pick = <K extends "speaker" | "sessionId" | "agentId">(k: K) =>
      patch[k] === undefined ? before[k] : (patch[k] ?? undefined);
    const { speaker: _, sessionId: __, agentId: ___, ...rest } = before;
    const next = pick("speaker");
    row.exchange = copyExchange({
      ...rest,
      userMessage: patch.userMessage ?? before.userMessage,
      botResponse: patch.botResponse ?? before.botResponse,
      speaker: next,
      ...scopeOf({ sessionId: pick("sessionId"), agentId: pick("agentId") }),
      metadata: patch.metadata ?? before.metadata,
      version: before.version + 1,
    });
    this.#db.queue(row.exchange, projections);
    return copyExchange(row.exchange);
  }

  async versions(userId: string, id: string): Promise<ExchangeVersion[]> {
    const row = this.#db.exchanges.get(id);
    if (!row || row.exchange.userId !== userId) return [];
    return (row.versions ?? []).map((v) => ({ ...v, metadata: viaJson(v.metadata) }));
  }

  async deleteExchange(
    userId: string,
    id: string,
    projections: readonly ProjectionTier[],
    summaryWindow: number,
  ): Promise<Exchange | undefined> {
    const row = this.#db.exchanges.get(id);
    if (!row || row.exchange.userId !== userId) return undefined;
    const windowIndex = windowIndexOf(row.exchange.ordinal, summaryWindow);
    this.#db.deleteExchange(id);
    this.#db.deletedExchanges.add(id);
    this.#db.summaries.delete(summaryKey(userId, windowIndex));
    for (const tier of projections)
      this.#db.eraseTasks.set(eraseTaskKey({ userId, tier, exchangeId: id }), {
        userId,
        tier,
        exchangeId: id,
        windowIndex,
        final: false,
        attempts: 0,
        availableAt: 0,
      });
    return copyExchange(row.exchange);
  }

  async byIds(userId: string, ids: readonly string[]): Promise<Exchange[]> {
    const wanted = new Set(ids);
    return this.#exchangesOf(userId).filter((e) => wanted.has(e.id));
  }

  async allExchanges(userId: string): Promise<Exchange[]> {
    return this.#exchangesOf(userId);
  }

  async exchangeCount(userId: string): Promise<number> {
    return this.#db.rowsOf(userId).length;
  }

  async userIds(after: string, limit: number): Promise<string[]> {
    return [...this.#db.users.keys()]
      .filter((u) => u > after)
      .sort()
      .slice(0, limit);
  }

  async summaries(userId: string): Promise<Summary[]> {
    return [...this.#db.summaries.values()]
      .filter((s) => s.userId === userId)
      .sort((a, b) => a.windowIndex - b.windowIndex)
      .map(copySummary);
  }

  rewriteWindows(
    windows: readonly WindowKey[],
    size: number,
    summarize: (exchanges: Exchange[]) => Promise<Summary[]>,
    emptied?: (windows: WindowKey[]) => Promise<void>,
  ): Promise<void> {
    if (windows.length === 0) return Promise.resolve();
    const run = this.#rewrites.then(async () => {
      const inWindow = (e: Exchange) =>
        windows.some(
          (w) =>
            w.userId === e.userId &&
            e.ordinal > w.windowIndex * size &&
            e.ordinal <= (w.windowIndex + 1) * size,
        );
      const exchanges = [...this.#db.exchanges.values()]
        .map((r) => r.exchange)
        .filter(inWindow)
        .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : a.ordinal - b.ordinal))
        .map(copyExchange);
      if (exchanges.length > 0) {
        const made = await summarize(exchanges);
        // As the summaries table's foreign key: a user erased meanwhile takes the whole rewrite down.
        if (made.some((s) => !this.#db.users.has(s.userId)))
          throw new Error("insert or update on table summaries violates foreign key constraint");
        for (const s of made) this.#db.summaries.set(summaryKey(s.userId, s.windowIndex), copySummary(s));
      }
      const empty = windows.filter(
        (w) =>
          !exchanges.some((e) => e.userId === w.userId && windowIndexOf(e.ordinal, size) === w.windowIndex),
      );
      for (const w of empty) this.#db.summaries.delete(summaryKey(w.userId, w.windowIndex));
      if (empty.length > 0) await emptied?.(empty);
    });
    this.#rewrites = run.catch(() => undefined);
    return run;
  }

  async eraseUser(userId: string, projections: readonly ProjectionTier[]): Promise<number> {
    return this.#db.eraseUser(userId, projections);
  }

  async knownUsers(userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds.filter((u) => this.#db.users.has(u)));
  }

  #exchangesOf(userId: string): Exchange[] {
    return this.#db.rowsOf(userId).map((r) => copyExchange(r.exchange));
  }
}

const copySummary = (s: Summary): Summary => ({
  ...s,
  exchangeIds: [...s.exchangeIds],
  startAt: new Date(s.startAt),
  endAt: new Date(s.endAt),
});
