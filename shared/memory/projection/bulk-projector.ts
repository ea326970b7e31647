/**
 * Projects many archived exchanges at once (a migration batch, a bulk load): per tier, a few round
 * trips for the whole set instead of a few per exchange. Same results as applying each exchange
 * through the Projector; the exchanges' outbox rows for a tier are completed once it succeeded, and
 * left for the reconciler when it failed.
 */

import type { ProjectionTier } from "../../domain/tiers.js";
import type { Exchange } from "../../domain/types.js";
import { describeError } from "../../errors/memory-error.js";
import { tierFailureCode } from "../../tiers/failures.js";
import type { ProjectionDeps } from "./deps.js";
import { rewriteWindowsOf } from "./windows.js";

export interface BulkProjectionReport {
  applied: ProjectionTier[];
  /** Tiers that failed, with the failure's code; their rows stay in the outbox. */
  failed: { tier: ProjectionTier; error: string }[];
}

export class BulkProjector {
  readonly #deps: ProjectionDeps;

  constructor(deps: ProjectionDeps) {
    this.#deps = deps;
  }

  async apply(
    exchanges: readonly Exchange[],
    tiers: readonly ProjectionTier[],
  ): Promise<BulkProjectionReport> {
    const report: BulkProjectionReport = { applied: [], failed: [] };
    if (exchanges.length === 0) return report;
    const work: Record<ProjectionTier, () => Promise<void>> = {
      redis: () => this.#toCache(exchanges),
      chroma: () => rewriteWindowsOf(this.#deps, exchanges),
      neo4j: () => this.#toGraph(exchanges),
    };
    const { health, stores, logger } = this.#deps;
    await Promise.all(
      tiers.map(async (tier) => {
        try {
          await health.track(tier, work[tier]);
          await stores.outbox?.completeFor(
            exchanges.map((e) => e.id),
            tier,
          );
          report.applied.push(tier);
        } catch (error) {
          logger.debug("bulk projection failed; its rows stay in the outbox", {
            tier,
            exchanges: exchanges.length,
            cause: describeError(error),
          });
          report.failed.push({ tier, error: tierFailureCode(error) });
        }
      }),
    );
    return report;
  }

  /** Each touched user's list becomes the archive's newest exchanges. */
  async #toCache(exchanges: readonly Exchange[]) {
    const { cache, archive } = this.#deps.stores;
    if (!cache || !archive) return;
    const users = [...new Set(exchanges.map((e) => e.userId))];
    await cache.replaceMany(await archive.recentForUsers(users, cache.capacity));
  }

  async #toGraph(exchanges: readonly Exchange[]) {
    const { stores, processing } = this.#deps;
    await stores.graph?.applyMany(
      exchanges.map((exchange) => ({ exchange, extraction: processing.extractor.extract(exchange) })),
    );
  }
}
