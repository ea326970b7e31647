/**
 * Projects many archived exchanges at once (a migration batch, a rebuild): per tier, a few round
 * trips for the whole set instead of a few per exchange. Same results as applying each exchange
 * through the Projector; the exchanges' outbox rows for a tier are completed once it succeeded, and
 * left for the reconciler when it failed.
 */
import type { Exchange, ProjectionTier } from "../domain/types.js";
import type { Processing } from "../processing/index.js";
import type { TierHealthTracker } from "./health.js";
import { type Projector, windowLock, windowText } from "./projector.js";
import type { MemoryStores } from "./stores.js";

export interface BulkProjectionReport {
  applied: ProjectionTier[];
  failed: { tier: ProjectionTier; error: string }[];
}

export class BulkProjector {
  constructor(
    private readonly stores: MemoryStores,
    private readonly projector: Projector,
    private readonly processing: Processing,
    private readonly health: TierHealthTracker,
    private readonly summaryWindow: number,
  ) {}

  async apply(
    exchanges: readonly Exchange[],
    tiers: readonly ProjectionTier[],
  ): Promise<BulkProjectionReport> {
    const report: BulkProjectionReport = { applied: [], failed: [] };
    if (exchanges.length === 0) return report;
    const work: Record<ProjectionTier, () => Promise<void>> = {
      redis: () => this.toCache(exchanges),
      chroma: () => this.toSummaries(exchanges),
      neo4j: () => this.toGraph(exchanges),
    };
    await Promise.all(
      tiers.map(async (tier) => {
        try {
          await this.health.track(tier, work[tier]);
          await this.stores.outbox?.completeFor(
            exchanges.map((e) => e.id),
            tier,
          );
          report.applied.push(tier);
        } catch (error) {
          report.failed.push({ tier, error: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    return report;
  }

  /** Each touched user's list becomes the archive's newest exchanges. */
  private async toCache(exchanges: readonly Exchange[]) {
    const { cache, archive } = this.stores;
    if (!cache || !archive) return;
    const users = [...new Set(exchanges.map((e) => e.userId))];
    await cache.replaceMany(await archive.recentForUsers(users, cache.capacity));
  }

  /** Rewrites every touched window's summary, under the windows' locks, taken in one sorted go. */
  private async toSummaries(exchanges: readonly Exchange[]) {
    const { summaries, archive } = this.stores;
    if (!summaries || !archive) return;
    const touched = new Map<string, { userId: string; windowIndex: number }>();
    for (const e of exchanges) {
      const windowIndex = this.projector.windowIndex(e);
      touched.set(windowLock(e.userId, windowIndex), { userId: e.userId, windowIndex });
    }
    await archive.withLocks([...touched.keys()], async (db) => {
      const windows = new Map<string, { userId: string; windowIndex: number; exchanges: Exchange[] }>();
      for (const e of await archive.windows([...touched.values()], this.summaryWindow, db)) {
        const windowIndex = this.projector.windowIndex(e);
        const key = windowLock(e.userId, windowIndex);
        const window = windows.get(key) ?? { userId: e.userId, windowIndex, exchanges: [] };
        window.exchanges.push(e);
        windows.set(key, window);
      }
      const list = [...windows.values()];
      const built = await Promise.all(
        list.map((w) => this.projector.summaryOf(w.userId, w.windowIndex, w.exchanges)),
      );
      const vectors = await this.processing.embedder.embed(list.map((w) => windowText(w.exchanges)));
      await archive.upsertSummaries(built, db);
      await summaries.upsert(built.map((summary, i) => ({ summary, embedding: vectors[i] ?? [] })));
    });
  }

  private async toGraph(exchanges: readonly Exchange[]) {
    const graph = this.stores.graph;
    if (!graph) return;
    await graph.applyMany(
      exchanges.map((exchange) => ({ exchange, extraction: this.processing.extractor.extract(exchange) })),
    );
  }
}
