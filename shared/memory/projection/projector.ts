/**
 * Applies one archived exchange to a projection tier. Every projection is a pure function of the
 * archive, idempotent and safe to replay: Redis gets the exchange pushed (or the list rebuilt),
 * Chroma gets the summary of the exchange's window rewritten, Neo4j gets the exchange's facts merged.
 */
import pLimit, { type LimitFunction } from "p-limit";
import type { ProjectionTier } from "../../domain/tiers.js";
import type { Exchange } from "../../domain/types.js";
import { describeError } from "../../errors/memory-error.js";
import { extractionOf } from "../../processing/index.js";
import { withTimeout } from "../../util/timeout.js";
import type { ProjectionDeps } from "./deps.js";
import { summarizeWindows, windowIndexOf } from "./windows.js";

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
   * `replay`: the row was claimed before (or by the reconciler), so a push could duplicate.
   * Afterwards, whether it succeeded or not, the exchange must still be in the archive: if its user
   * was erased while this ran, what it wrote is undone from the archive (the erase's final pass is
   * the backstop for writes that land later still).
   */
  async apply(tier: ProjectionTier, exchange: Exchange, replay = false): Promise<void> {
    const work = {
      redis: () => (replay ? this.rebuildCache(exchange.userId) : this.#toCache(exchange)),
      chroma: () => this.toSummaries(exchange),
      neo4j: () => this.#toGraph(exchange),
    }[tier];
    try {
      await this.#deps.health.track(tier, () =>
        withTimeout(work(), projectionTimeoutMs, `${tier} did not answer within ${projectionTimeoutMs} ms`),
      );
    } finally {
      await this.#undoIfErased(tier, exchange);
    }
  }

  async #undoIfErased(tier: ProjectionTier, exchange: Exchange) {
    const { archive } = this.#deps.stores;
    if (!archive || (await archive.byIds(exchange.userId, [exchange.id])).length > 0) return;
    await this.rebuild(exchange.userId, [tier]).catch((error: unknown) =>
      this.#deps.logger.warn("could not undo a projection of an erased exchange; the erase task will", {
        tier,
        cause: describeError(error),
      }),
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
      const lastOfWindow = new Map<number, Exchange>();
      for (const e of all) lastOfWindow.set(windowIndexOf(e.ordinal, this.#deps.summaryWindow), e);
      for (const e of lastOfWindow.values()) await this.toSummaries(e);
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

  /** Rewrites the summary of the window the exchange falls in (under the window's lock). */
  async toSummaries(exchange: Exchange) {
    const { summaries, archive } = this.#deps.stores;
    if (!summaries || !archive) return;
    const size = this.#deps.summaryWindow;
    const window = { userId: exchange.userId, windowIndex: windowIndexOf(exchange.ordinal, size) };
    await this.#lockedWrites(() =>
      archive.rewriteWindows([window], size, (exchanges) => summarizeWindows(this.#deps, exchanges)),
    );
  }

  #toGraph(exchange: Exchange) {
    return this.#toGraphMany([exchange]);
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
