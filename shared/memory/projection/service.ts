/**
 * The projection service: keeps Redis, Chroma and Neo4j following the archive. One exchange at a
 * time (a store), many at once (a migration batch, a bulk load), from the outbox (the worker), or
 * rebuilt from scratch for one user or all.
 */

import type { ProjectionTier } from "../../domain/tiers.js";
import type { Exchange } from "../../domain/types.js";
import type { EraseTask } from "../../tiers/erasures.js";
import { type BulkProjectionReport, BulkProjector } from "./bulk-projector.js";
import type { ProjectionDeps } from "./deps.js";
import { Projector } from "./projector.js";
import { type ReconcileReport, Reconciler } from "./reconciler.js";

export type { BulkProjectionReport, ReconcileReport };

export class ProjectionService {
  /** The projection tiers enabled here, each fed from the outbox. */
  readonly tiers: readonly ProjectionTier[];
  readonly #reconciler: Reconciler;
  readonly #projector: Projector;
  readonly #bulk: BulkProjector;

  /** `lockedConnections`: archive connections summary rewrites may hold at once (see Projector). */
  constructor(deps: ProjectionDeps, options: { lockedConnections: number }) {
    const { cache, summaries, graph } = deps.stores;
    this.tiers = [
      ...(cache ? (["redis"] as const) : []),
      ...(summaries ? (["chroma"] as const) : []),
      ...(graph ? (["neo4j"] as const) : []),
    ];
    this.#projector = new Projector(deps, options.lockedConnections);
    this.#reconciler = new Reconciler(deps, this.#projector);
    this.#bulk = new BulkProjector(deps);
  }

  /** Applies the outbox rows of just-stored exchanges (one user's, as a rule), for the given tiers or all. */
  applyExchanges(
    exchanges: readonly Exchange[],
    tiers?: readonly ProjectionTier[],
  ): Promise<ReconcileReport> {
    return this.#reconciler.applyExchanges(exchanges, tiers);
  }

  /** Projects many archived exchanges in a few round trips per tier; completes their outbox rows. */
  applyMany(
    exchanges: readonly Exchange[],
    tiers: readonly ProjectionTier[] = this.tiers,
  ): Promise<BulkProjectionReport> {
    return this.#bulk.apply(exchanges, tiers);
  }

  /** Takes one deleted exchange out of a tier (its exchange-level erase task). */
  forget(task: EraseTask & { exchangeId: string }): Promise<void> {
    return this.#projector.forget(task);
  }

  /** Applies due outbox rows (the scheduled worker). */
  reconcile(options?: { batchSize?: number; maxBatches?: number }): Promise<ReconcileReport> {
    return this.#reconciler.drain(options);
  }

  rebuildUser(userId: string, tiers: readonly ProjectionTier[] = this.tiers): Promise<void> {
    return this.#reconciler.rebuildUser(userId, tiers);
  }

  rebuildAll(tiers: readonly ProjectionTier[] = this.tiers): Promise<number> {
    return this.#reconciler.rebuildAll(tiers);
  }
}
