/**
 * Applies an archived exchange to a projection tier. Every projection is a pure function of Tier 2,
 * idempotent and safe to replay: Redis gets the exchange pushed (or the list rebuilt), Chroma gets the
 * summary of the exchange's window rewritten, Neo4j gets the exchange's facts merged.
 */

import type { PoolClient } from "@neondatabase/serverless";
import pLimit, { type LimitFunction } from "p-limit";
import { type Exchange, exchangeText, type ProjectionTier, type Summary } from "../domain/types.js";
import type { Processing } from "../processing/index.js";
import { withTimeout } from "../util/timeout.js";
import type { TierHealthTracker } from "./health.js";
import type { MemoryStores } from "./stores.js";

/** A projection that has not finished in this time counts as failed; the outbox retries it. */
const projectionTimeoutMs = 15_000;

export class Projector {
  private readonly lockedWrites: LimitFunction;

  /**
   * `lockedConnections`: how many Postgres connections summary writes may hold at once. Each holds
   * one (its window's lock) for as long as Chroma takes; unbounded, slow Chroma writes filled the
   * pool and stores queued behind them (store p50 19 ms for a 2 ms insert on the 2-core machine).
   */
  constructor(
    private readonly stores: MemoryStores,
    private readonly processing: Processing,
    private readonly health: TierHealthTracker,
    private readonly options: { summaryWindow: number; lockedConnections: number },
  ) {
    this.lockedWrites = pLimit(Math.max(1, options.lockedConnections));
  }

  /** `replay`: the row was claimed before (or by the reconciler), so a push could duplicate. */
  apply(tier: ProjectionTier, exchange: Exchange, replay = false): Promise<void> {
    const work = {
      redis: () => (replay ? this.rebuildCache(exchange.userId) : this.toCache(exchange)),
      chroma: () => this.toSummaries(exchange),
      neo4j: () => this.toGraph(exchange),
    }[tier];
    return this.health.track(tier, () =>
      withTimeout(work(), projectionTimeoutMs, `${tier} did not answer within ${projectionTimeoutMs} ms`),
    );
  }

  private async toCache(exchange: Exchange) {
    const complete = await this.stores.cache?.push(exchange);
    if (complete === false) await this.rebuildCache(exchange.userId);
  }

  /** Idempotent: the list becomes exactly the archive's newest exchanges. */
  async rebuildCache(userId: string) {
    const { cache, archive } = this.stores;
    if (cache && archive) await cache.replace(userId, await archive.recent(userId, cache.capacity));
  }

  /**
   * Rewrites the summary of the window the exchange falls in, under a lock on that window so two
   * stores in one window cannot leave the older summary last. The vector embeds the whole window;
   * the document is its summary.
   */
  async toSummaries(exchange: Exchange) {
    const { summaries, archive } = this.stores;
    if (!summaries || !archive) return;
    const size = this.options.summaryWindow;
    const windowIndex = this.windowIndex(exchange);
    await this.lockedWrites(() =>
      archive.withLock(windowLock(exchange.userId, windowIndex), async (db) => {
        const window = await archive.byOrdinals(
          exchange.userId,
          windowIndex * size + 1,
          (windowIndex + 1) * size,
          db,
        );
        if (window.length > 0) await this.writeSummary(exchange.userId, windowIndex, window, db);
      }),
    );
  }

  windowIndex(exchange: Pick<Exchange, "ordinal">): number {
    return windowIndexOf(exchange.ordinal, this.options.summaryWindow);
  }

  private async writeSummary(userId: string, windowIndex: number, window: Exchange[], db: PoolClient) {
    const { summaries, archive } = this.stores;
    if (!summaries || !archive) return;
    const summary = await this.summaryOf(userId, windowIndex, window);
    const [embedding] = await this.processing.embedder.embed([windowText(window)]);
    await archive.upsertSummary(summary, db);
    await summaries.upsert([{ summary, embedding: embedding ?? [] }]);
  }

  /** The summary of one window (its exchanges oldest first). */
  async summaryOf(userId: string, windowIndex: number, window: readonly Exchange[]): Promise<Summary> {
    const times = window.map((e) => e.createdAt.getTime());
    return {
      userId,
      windowIndex,
      text: await this.processing.summarizer.summarize(window),
      exchangeIds: window.map((e) => e.id),
      startAt: new Date(Math.min(...times)),
      endAt: new Date(Math.max(...times)),
    };
  }

  private async toGraph(exchange: Exchange) {
    if (!this.stores.graph) return;
    await this.stores.graph.apply(exchange, this.processing.extractor.extract(exchange));
  }
}

/** The summary window an exchange falls in: ordinals 1..size are window 0, and so on. */
export const windowIndexOf = (ordinal: number, size: number) => Math.floor((ordinal - 1) / size);

/** The advisory lock that serializes rewrites of one summary window. */
export const windowLock = (userId: string, windowIndex: number) => `summary:${userId}:${windowIndex}`;

/** What a window's vector embeds: the whole window, not only its summary. */
export const windowText = (window: readonly Exchange[]) => window.map(exchangeText).join("\n");
