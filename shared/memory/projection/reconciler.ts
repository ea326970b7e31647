/**
 * Drives the outbox: applies claimed rows to their projection tiers, deletes the rows that
 * succeeded and backs off the ones that failed. Also rebuilds any projection from the archive, for
 * one user or all. Used by a store for its own exchange and by the scheduled worker.
 */

import type { ProjectionTier } from "../../domain/tiers.js";
import type { Exchange, OutboxItem } from "../../domain/types.js";
import { describeError } from "../../errors/memory-error.js";
import { tierFailureCode } from "../../tiers/failures.js";
import type { ProjectionDeps } from "./deps.js";
import type { Projector } from "./projector.js";

export interface ReconcileReport {
  applied: number;
  failed: number;
  /** Each failure with its code; the cause is logged and kept on the outbox row. */
  errors: { tier: ProjectionTier; exchangeId: string; error: string }[];
}

const leaseMs = 30_000;

export class Reconciler {
  readonly #deps: ProjectionDeps;
  readonly #projector: Projector;

  constructor(deps: ProjectionDeps, projector: Projector) {
    this.#deps = deps;
    this.#projector = projector;
  }

  /** Applies the outbox rows of just-stored exchanges (one user's, as a rule), for the given tiers or all. */
  async applyExchanges(
    exchanges: readonly Exchange[],
    tiers?: readonly ProjectionTier[],
  ): Promise<ReconcileReport> {
    const outbox = this.#deps.stores.outbox;
    if (!outbox || exchanges.length === 0) return emptyReport();
    const items = await outbox.claim(10 * exchanges.length, leaseMs, {
      exchangeIds: exchanges.map((e) => e.id),
      tiers,
    });
    return this.#applyItems(items, new Map(exchanges.map((e) => [e.id, e])), false);
  }

  /** Applies due outbox rows, `batchSize` at a time, until none are due or `maxBatches` ran. */
  async drain(options: { batchSize?: number; maxBatches?: number } = {}): Promise<ReconcileReport> {
    const total = emptyReport();
    const outbox = this.#deps.stores.outbox;
    if (!outbox) return total;
    for (let round = 0; round < (options.maxBatches ?? 100); round++) {
      const items = await outbox.claim(options.batchSize ?? 100, leaseMs);
      if (items.length === 0) break;
      const report = await this.#applyItems(items, await this.#load(items), true);
      total.applied += report.applied;
      total.failed += report.failed;
      total.errors.push(...report.errors);
    }
    return total;
  }

  /** Rebuilds the chosen projections of one user from the archive. */
  rebuildUser(userId: string, tiers: readonly ProjectionTier[]): Promise<void> {
    return this.#projector.rebuild(userId, tiers);
  }

  /** Rebuilds the chosen projections of every user, a page of users at a time; returns the users. */
  async rebuildAll(tiers: readonly ProjectionTier[]): Promise<number> {
    const archive = this.#deps.stores.archive;
    if (!archive) return 0;
    let after = "";
    let users = 0;
    for (;;) {
      const page = await archive.userIds(after, 100);
      if (page.length === 0) return users;
      for (const userId of page) await this.rebuildUser(userId, tiers);
      users += page.length;
      after = page[page.length - 1] ?? after;
    }
  }

  async #load(items: readonly OutboxItem[]): Promise<Map<string, Exchange>> {
    const loaded = new Map<string, Exchange>();
    const archive = this.#deps.stores.archive;
    if (!archive) return loaded;
    for (const [userId, userItems] of Map.groupBy(items, (i) => i.userId))
      for (const e of await archive.byIds(
        userId,
        userItems.map((i) => i.exchangeId),
      ))
        loaded.set(e.id, e);
    return loaded;
  }

  /**
   * One user's rows for one tier are applied together (several exchanges of one window cost one
   * rewrite); tiers and users run in parallel. A lane that fails is tried again row by row, so one
   * exchange a tier refuses holds back no other.
   */
  async #applyItems(
    items: readonly OutboxItem[],
    exchanges: Map<string, Exchange>,
    replay: boolean,
  ): Promise<ReconcileReport> {
    const report = emptyReport();
    const done: number[] = [];
    const lanes = Map.groupBy(items, (i) => `${i.tier} ${i.userId}`);
    await Promise.all(
      [...lanes.values()].map(async (lane) => {
        const tier = (lane[0] as OutboxItem).tier;
        const again = replay || lane.some((i) => i.attempts > 1);
        const together = [...new Set(lane.map((i) => exchanges.get(i.exchangeId)))].filter(
          (e): e is Exchange => e !== undefined,
        );
        if (lane.length > 1) {
          const applied = await this.#projector.apply(tier, together, again).then(
            () => true,
            () => false,
          );
          if (applied) {
            done.push(...lane.map((i) => i.id));
            report.applied += lane.length;
            return;
          }
        }
        for (const item of lane)
          await this.#applyOne(item, exchanges.get(item.exchangeId), again, report, done);
      }),
    );
    await this.#deps.stores.outbox?.complete(done);
    return report;
  }

  async #applyOne(
    item: OutboxItem,
    exchange: Exchange | undefined,
    replay: boolean,
    report: ReconcileReport,
    done: number[],
  ) {
    try {
      // A row whose exchange is gone (erased) has nothing to apply.
      if (exchange) await this.#projector.apply(item.tier, [exchange], replay);
      done.push(item.id);
      report.applied++;
    } catch (error) {
      report.failed++;
      report.errors.push({ tier: item.tier, exchangeId: item.exchangeId, error: tierFailureCode(error) });
      await this.#deps.stores.outbox
        ?.fail(item.id, item.attempts, `${item.tier}: ${describeError(error)}`)
        .catch((failed) =>
          this.#deps.logger.warn("could not back off an outbox row; its lease will expire instead", {
            tier: item.tier,
            cause: describeError(failed),
          }),
        );
    }
  }
}

const emptyReport = (): ReconcileReport => ({ applied: 0, failed: 0, errors: [] });
