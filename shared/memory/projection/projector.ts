/**
 * Applies one archived exchange to a projection tier. Every projection is a pure function of the
 * archive, idempotent and safe to replay: Redis gets the exchange pushed (or the list rebuilt),
 * Chroma gets the summary of the exchange's window rewritten, Neo4j gets the exchange's facts merged.
 * A corrected exchange (version > 1) rebuilds the list and replaces its facts; a deleted one is
 * taken out of each tier by its erase task (forget).
 */
import pLimit, { type LimitFunction } from "p-limit";
import type { ProjectionTier } from "../../domain/tiers.js";
import type { Exchange } from "../../domain/types.js";
import { describeError } from "../../errors/memory-error.js";
import { extractionOf } from "../../processing/index.js";
import type { EraseTask } from "../../tiers/erasures.js";
import { withTimeout } from "../../util/timeout.js";
import type { ProjectionDeps } from "./deps.js";
import { rewriteWindowsOf, summarizeWindows, windowsOf } from "./windows.js";

/** A projection that has not finished in this time counts as failed; the outbox retries it. */
const projectionTimeoutMs = 15_000;

export class Projector {
  readonly #deps: ProjectionDeps;
  readonly #lockedWrites: LimitFunction;

  /**
   * `lockedConnections`: how many archive connections summary rewrites may hold at once. Each holds
   * one (its window's lock) for as long as the summary index takes; unbounded, slow summary writes
   * fill the pool and stores queue behind them.
   */
  constructor(deps: ProjectionDeps, lockedConnections: number) {
    this.#deps = deps;
    this.#lockedWrites = pLimit(Math.max(1, lockedConnections));
  }

  /**
   * Applies one user's exchanges (one, or several waiting together) to a tier in one go: one window
   * rewrite for the windows they fall in, one graph transaction, one cache rebuild. `replay`: the
   * rows were claimed before (or by the reconciler), so a push could duplicate. Afterwards, whether
   * it succeeded or not, each exchange must still be in the archive: if its user was erased while
   * this ran, what it wrote is undone from the archive (the erase's final pass is the backstop for
   * writes that land later still).
   */
  async apply(tier: ProjectionTier, exchanges: readonly Exchange[], replay = false): Promise<void> {
    if (exchanges.length === 0) return;
    try {
      await this.#applyNow(tier, exchanges, replay);
    } finally {
      await this.#settle(tier, exchanges);
    }
  }

  #applyNow(tier: ProjectionTier, exchanges: readonly Exchange[], replay: boolean) {
    const corrected = exchanges.filter((e) => e.version > 1);
    const [first] = exchanges as [Exchange, ...Exchange[]];
    const work = {
      redis: () =>
        replay || corrected.length > 0 || exchanges.length > 1
          ? this.rebuildCache(first.userId)
          : this.#toCache(first),
      chroma: () => this.#toSummaries(exchanges),
      neo4j: () => this.#toGraphReplacing(exchanges, corrected),
    }[tier];
    return this.#deps.health.track(tier, () =>
      withTimeout(work(), projectionTimeoutMs, `${tier} did not answer within ${projectionTimeoutMs} ms`),
    );
  }

  /**
   * What this wrote must follow the archive as it is now: an exchange erased meanwhile (its user's
   * or its own erase) is undone from the archive; one corrected meanwhile is applied again as it
   * now reads, so an older version in flight cannot end up last.
   */
  async #settle(tier: ProjectionTier, exchanges: readonly Exchange[]) {
    const { archive } = this.#deps.stores;
    const userId = exchanges[0]?.userId;
    if (!archive || userId === undefined) return;
    const now = new Map(
      (
        await archive.byIds(
          userId,
          exchanges.map((e) => e.id),
        )
      ).map((e) => [e.id, e]),
    );
    const gone = exchanges.some((e) => !now.has(e.id));
    const changed = exchanges.flatMap((e) => {
      const current = now.get(e.id);
      return current && current.version !== e.version
        ? [{ ...current, version: Math.max(current.version, 2) }]
        : [];
    });
    if (!gone && changed.length === 0) return;
    const redo = gone ? this.rebuild(userId, [tier]) : this.#applyNow(tier, changed, true);
    await redo.catch((error: unknown) =>
      this.#deps.logger.warn(
        "could not settle a projection the archive changed under; the outbox or erase task will",
        {
          tier,
          cause: describeError(error),
        },
      ),
    );
  }

  /**
   * Takes one deleted exchange out of a tier (its exchange-level erase task): the recent list is
   * made again from the archive, the window that held it rewritten from what is left (its summary
   * deleted when nothing is) and its own vector deleted, and the facts it stated removed.
   */
  async forget(task: EraseTask & { exchangeId: string }): Promise<void> {
    const { archive, summaries, graph } = this.#deps.stores;
    const size = this.#deps.summaryWindow;
    const window = { userId: task.userId, windowIndex: task.windowIndex ?? 0 };
    const work = {
      redis: () => this.rebuildCache(task.userId),
      chroma: async () => {
        if (!archive || !summaries) return;
        await this.#lockedWrites(() =>
          archive.rewriteWindows(
            [window],
            size,
            (exchanges) => summarizeWindows(this.#deps, exchanges, new Set()),
            (gone) =>
              summaries.deleteWindows(
                task.userId,
                gone.map((w) => w.windowIndex),
              ),
          ),
        );
        // After the window's lock: a write of it that read the exchange before its delete has landed.
        await summaries.deleteExchanges(task.userId, [task.exchangeId]);
      },
      neo4j: async () => graph?.removeExchanges(task.userId, [task.exchangeId]),
    }[task.tier];
    await this.#deps.health.track(task.tier, () =>
      withTimeout(
        work(),
        projectionTimeoutMs,
        `${task.tier} did not answer within ${projectionTimeoutMs} ms`,
      ),
    );
  }

  /** The chosen projections of one user, made again from the archive (nothing, for a user it lacks). */
  async rebuild(userId: string, tiers: readonly ProjectionTier[]): Promise<void> {
    const { archive, summaries, graph } = this.#deps.stores;
    if (!archive) return;
    if (tiers.includes("redis")) await this.rebuildCache(userId);
    const all = tiers.some((t) => t === "chroma" || t === "neo4j") ? await archive.allExchanges(userId) : [];
    if (tiers.includes("chroma") && summaries) {
      await summaries.deleteUser(userId);
      const size = this.#deps.summaryWindow;
      const windows = windowsOf(all, size);
      // Fifty windows (their locks, their vectors) at a time: a long history in bounded transactions.
      for (let i = 0; i < windows.length; i += 50)
        await this.#lockedWrites(() =>
          archive.rewriteWindows(windows.slice(i, i + 50), size, (exchanges) =>
            summarizeWindows(this.#deps, exchanges),
          ),
        );
    }
    if (tiers.includes("neo4j") && graph) {
      await graph.deleteUser(userId);
      await this.#toGraphMany(all);
    }
  }

  async #toCache(exchange: Exchange) {
    const complete = await this.#deps.stores.cache?.push(exchange);
    if (complete === false) await this.rebuildCache(exchange.userId);
  }

  /** Idempotent: the list becomes exactly the archive's newest exchanges. */
  async rebuildCache(userId: string) {
    const { cache, archive } = this.#deps.stores;
    if (cache && archive) await cache.replace(userId, await archive.recent(userId, cache.capacity));
  }

  /**
   * Rewrites the summaries of the windows these exchanges fall in, with their own vectors (under the
   * windows' locks): several exchanges of one window cost one rewrite.
   */
  #toSummaries(exchanges: readonly Exchange[]) {
    return this.#lockedWrites(() => rewriteWindowsOf(this.#deps, exchanges));
  }

  /** What corrected exchanges stated before goes; what all of them state now comes. */
  async #toGraphReplacing(exchanges: readonly Exchange[], corrected: readonly Exchange[]) {
    const [first] = exchanges;
    if (first && corrected.length > 0)
      await this.#deps.stores.graph?.removeExchanges(
        first.userId,
        corrected.map((e) => e.id),
      );
    await this.#toGraphMany(exchanges);
  }

  /**
   * In transactions of 500 exchanges, so rebuilding a long history stays within the graph's memory.
   * A claim proposer (a model) is asked four exchanges at a time.
   */
  async #toGraphMany(exchanges: readonly Exchange[]) {
    const { stores, processing } = this.#deps;
    const graph = stores.graph;
    if (!graph) return;
    for (let i = 0; i < exchanges.length; i += 500) {
      const batch = exchanges.slice(i, i + 500);
      const items = [];
      for (let j = 0; j < batch.length; j += 4)
        items.push(
          ...(await Promise.all(
            batch
              .slice(j, j + 4)
              .map(async (e) => ({ exchange: e, extraction: await extractionOf(processing, e) })),
          )),
        );
      await graph.applyMany(items);
    }
  }
}
