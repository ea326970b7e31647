/**
 * IntelligentContextAssembler: one deadline, all enabled tiers queried in parallel; a tier that
 * fails or is late is dropped and named in `degraded`, and never holds the answer past the deadline.
 * Candidates: recent messages (Redis, falling back to Postgres), full-text hits (Postgres), semantic
 * hits on window summaries and single exchanges (Chroma), facts about the entities in the query
 * (Neo4j) that hold now. A scope
 * (session, agent) is pushed down to every tier (`only`), or lifts what is within it (`prefer`). With
 * `asOf`, the memory as it stood then: the facts that held then, recent exchanges from the archive
 * up to it (the cache holds only the newest), and nothing stored after it.
 */
import type { Config } from "../../config/index.js";
import { matchesFilter, readsMetadata, type Selection } from "../../domain/filter.js";
import type { TierName } from "../../domain/tiers.js";
import { type Exchange, exchangeText, inScope, isScoped, scopeOf } from "../../domain/types.js";
import { TimeoutError } from "../../errors/memory-error.js";
import type { Processing } from "../../processing/index.js";
import { timeRangesIn } from "../../processing/time-expressions.js";
import type { ArchivePosition } from "../../tiers/archive.js";
import { tierFailureCode } from "../../tiers/failures.js";
import type { CachedExchange, RecentCache } from "../../tiers/recent-cache.js";
import type { MemoryStores } from "../../tiers/stores.js";
import { round2 } from "../../util/stats.js";
import type { TierHealthTracker } from "../health.js";
import { deadlineAfter, type Outcome, withinDeadline } from "./deadline.js";
import { cut, rankAndDedupe } from "./scoring.js";
import { supersededExchanges } from "./superseded.js";
import type { AssembledContext, Candidate, ContextRequest, TierTiming } from "./types.js";

export interface AssemblerDeps {
  stores: MemoryStores;
  processing: Processing;
  health: TierHealthTracker;
  config: Pick<Config, "contextAssemblyTimeoutMs" | "maxContextItems" | "memory" | "features">;
}

export class IntelligentContextAssembler {
  readonly #deps: AssemblerDeps;

  constructor(deps: AssemblerDeps) {
    this.#deps = deps;
  }

  async assembleContext(request: ContextRequest): Promise<AssembledContext> {
    const { stores, processing, health, config } = this.#deps;
    const started = performance.now();
    const deadline = deadlineAfter(config.contextAssemblyTimeoutMs);
    const { userId, currentQuery } = request;
    const recentLimit = request.maxRecentMessages ?? 20;
    // Each tier proposes more than it may return; ranking across tiers picks the best.
    const hitLimit = Math.max(3 * (request.maxArchiveConversations ?? 10), 30);
    const { archive, cache, summaries, graph } = stores;
    const scoped = isScoped(request.scope) ? request.scope : undefined;
    const only = request.scopeMode === "prefer" ? undefined : scoped;
    const { filter } = request;
    // The cache keeps no metadata: with a filter on it, recent messages come from the archive.
    const cacheable = config.features.caching && !(filter && readsMetadata(filter));
    // Late work keeps running after the deadline; its result is dropped, and it is never awaited.
    const run = <S, T>(tier: TierName, store: S | undefined, work: (s: S) => Promise<T>) =>
      store
        ? withinDeadline(() => health.track(tier, () => work(store)), deadline.reached, started)
        : undefined;

    // First: the query's embedding is the longest step on the critical path (the model, then Chroma).
    const semantic = run("chroma", summaries, async (s) => {
      const [embedding] = await processing.embedder.embed([currentQuery], "query");
      return s.search(userId, embedding ?? [], hitLimit, { scope: only, filter });
    });
    const asOf = request.asOf;
    const cached = asOf
      ? undefined
      : run("redis", cacheable ? cache : undefined, (c) =>
          only || filter
            ? this.#recentSelected(c, userId, recentLimit, { scope: only, filter })
            : c.recent(userId, recentLimit),
        );
    const now = request.now ?? asOf ?? new Date();
    const periods = timeRangesIn(currentQuery, now);
    const lexical = run("postgres", archive, (a) =>
      a.search(userId, currentQuery, hitLimit, { periods, scope: only, filter }),
    );
    const keys = processing.extractor.queryKeys(currentQuery);
    const facts = run("neo4j", graph, (g) =>
      g.factsFor(userId, keys, hitLimit, { scope: only, filter, asOf }),
    );
    // Recent messages come from the archive when the cache is off, failed, late or missed.
    // At asOf itself included: an ordinal above any a user reaches.
    const upTo = asOf ? { createdAt: asOf, ordinal: 2_147_483_647 } : undefined;
    const fromArchive = () =>
      this.#recentFromArchive(userId, recentLimit, deadline.reached, started, { scope: only, filter }, upTo);
    const recent =
      cached?.then((o) => (o.status === "ok" && o.value !== undefined ? o : fromArchive())) ?? fromArchive();

    const [recentO, lexicalO, semanticO, factsO, cachedO] = await Promise.all([
      recent,
      lexical,
      semantic,
      facts,
      cached,
    ]);
    deadline.cancel();

    // Each tier's candidates in its own order, best first: recency, BM25, similarity, entity matches.
    const candidates: Candidate[] = [];
    const said = [
      ...(recentO?.status === "ok" ? (recentO.value ?? []) : []),
      ...(lexicalO?.status === "ok" ? lexicalO.value.map((h) => h.exchange) : []),
    ];
    const superseded =
      factsO?.status === "ok"
        ? supersededExchanges(said, factsO.value, processing.extractor)
        : new Set<string>();
    const mark = (c: Candidate) => (superseded.has(c.exchangeIds[0] ?? "") ? { ...c, superseded: true } : c);
    if (recentO?.status === "ok")
      candidates.push(...(recentO.value ?? []).map((e) => mark(fromExchange(e, "recent"))));
    if (lexicalO?.status === "ok")
      candidates.push(...lexicalO.value.map((h) => mark(fromExchange(h.exchange, "archive"))));
    if (semanticO?.status === "ok")
      candidates.push(
        ...semanticO.value.exchanges.map(({ exchange: e }) =>
          mark({
            source: "semantic" as const,
            text: e.text,
            timestamp: e.createdAt,
            exchangeIds: [e.exchangeId],
            ...scopeOf(e),
          }),
        ),
        ...semanticO.value.windows.map(({ summary }) => ({
          source: "summary" as const,
          text: summary.text,
          timestamp: summary.endAt,
          exchangeIds: summary.exchangeIds,
          ...scopeOf(summary),
        })),
      );
    if (factsO?.status === "ok")
      candidates.push(
        ...factsO.value.map((f) => ({
          source: "graph" as const,
          text: f.text,
          timestamp: f.at,
          exchangeIds: [f.exchangeId],
          ...scopeOf(f),
          validFrom: f.validFrom,
          ...(f.invalidAt ? { invalidAt: f.invalidAt } : {}),
          ...(f.slot ? { claim: true } : {}),
        })),
      );
    // Nothing said after asOf was known then.
    const known = asOf ? candidates.filter((c) => c.timestamp <= asOf) : candidates;

    const decay = { halfLifeDays: config.memory.halfLifeDays, floor: config.memory.decayFloor };
    const ranked = rankAndDedupe(known, now, decay, only ? undefined : scoped);
    const items = cut(
      ranked,
      request.maxItems ?? config.maxContextItems,
      request.tokenBudget ?? config.memory.tokenBudget,
    );

    const timings = {
      redis: timing(cache, cachedO, config.features.caching),
      postgres: timing(archive, lexicalO),
      chroma: timing(summaries, semanticO),
      neo4j: timing(graph, factsO),
    };
    const degraded = (Object.keys(timings) as TierName[]).filter((t) =>
      ["error", "late"].includes(timings[t].status),
    );
    if (archive && recentO?.status !== "ok" && !degraded.includes("postgres")) degraded.push("postgres");
    // A late tier is unhealthy now, though its call may never settle.
    for (const tier of degraded)
      if (timings[tier].status === "late")
        health.record(tier, timings[tier].ms, new TimeoutError("missed the context deadline"));
    return {
      userId,
      items,
      degraded,
      timings,
      totalMs: round2(performance.now() - started),
      candidates: candidates.length,
    };
  }

  /**
   * The newest exchanges the selection keeps (scope, a filter on time only) from the cache's list: a
   * miss (undefined, so the archive answers) when the list may hold too few, older history being
   * left out of it.
   */
  async #recentSelected(cache: RecentCache, userId: string, limit: number, { scope, filter }: Selection) {
    const list = await cache.recent(userId, cache.capacity);
    if (!list) return undefined;
    const kept = list.filter(
      (e) =>
        inScope(e, scope) &&
        (!filter || matchesFilter(filter, { metadata: {}, createdAt: new Date(e.createdAt) })),
    );
    const whole = list.length < cache.capacity || list.at(-1)?.ordinal === 1;
    return kept.length >= limit || whole ? kept.slice(0, limit) : undefined;
  }

  #recentFromArchive(
    userId: string,
    limit: number,
    deadline: Promise<void>,
    started: number,
    selection: Selection,
    before?: ArchivePosition,
  ): Promise<Outcome<(CachedExchange | Exchange)[] | undefined>> | undefined {
    const { stores, health } = this.#deps;
    const archive = stores.archive;
    if (!archive) return undefined;
    return withinDeadline(
      () => health.track("postgres", () => archive.recent(userId, limit, { ...selection, before })),
      deadline,
      started,
    );
  }
}

const fromExchange = (e: CachedExchange | Exchange, source: "recent" | "archive"): Candidate => ({
  source,
  text: exchangeText(e),
  timestamp: new Date(e.createdAt),
  exchangeIds: [e.id],
  ...scopeOf(e),
});

function itemCount(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  const hits = value as { windows?: unknown[]; exchanges?: unknown[] } | undefined;
  return (hits?.windows?.length ?? 0) + (hits?.exchanges?.length ?? 0);
}

function timing(
  store: unknown,
  outcome: Outcome<unknown[] | unknown> | undefined,
  enabled = true,
): TierTiming {
  if (!store || !enabled) return { status: "disabled", ms: 0, items: 0 };
  if (!outcome) return { status: "skipped", ms: 0, items: 0 };
  if (outcome.status === "ok") return { status: "ok", ms: outcome.ms, items: itemCount(outcome.value) };
  if (outcome.status === "late") return { status: "late", ms: outcome.ms, items: 0 };
  return { status: "error", ms: outcome.ms, items: 0, error: tierFailureCode(outcome.error) };
}
