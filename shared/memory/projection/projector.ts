/**
 * Applies one archived exchange to a projection tier. Every projection is a pure function of the
 * archive, idempotent and safe to replay: Redis gets the exchange pushed (or the list rebuilt),
 * Chroma gets the summary of the exchange's window rewritten, Neo4j gets the exchange's facts merged.
 */
import pLimit, { type LimitFunction } from "p-limit";
import type { ProjectionTier } from "../../domain/tiers.js";
import type { Exchange } from "../../domain/types.js";
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

  /** `replay`: the row was claimed before (or by the reconciler), so a push could duplicate. */
  apply(tier: ProjectionTier, exchange: Exchange, replay = false): Promise<void> {
    const work = {
      redis: () => (replay ? this.rebuildCache(exchange.userId) : this.#toCache(exchange)),
      chroma: () => this.toSummaries(exchange),
      neo4j: () => this.#toGraph(exchange),
    }[tier];
    return this.#deps.health.track(tier, () =>
      withTimeout(work(), projectionTimeoutMs, `${tier} did not answer within ${projectionTimeoutMs} ms`),
    );
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

  async #toGraph(exchange: Exchange) {
    const { stores, processing } = this.#deps;
    await stores.graph?.applyMany([{ exchange, extraction: processing.extractor.extract(exchange) }]);
  }
}
