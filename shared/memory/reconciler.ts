/**
 * Drives the outbox: applies claimed rows to their projection tiers, deletes the rows that
 * succeeded and backs off the ones that failed. Also rebuilds any projection from Tier 2, for one
 * user or all. Used by a store for its own exchange and by the scheduled worker.
 */
import type { Exchange, OutboxItem, ProjectionTier } from "../domain/types.js";
import type { Projector } from "./projector.js";
import type { MemoryStores } from "./stores.js";

export interface ReconcileReport {
  applied: number;
  failed: number;
  errors: { tier: ProjectionTier; exchangeId: string; error: string }[];
}

const leaseMs = 30_000;

export class Reconciler {
  constructor(
    private readonly stores: MemoryStores,
    private readonly projector: Projector,
  ) {}

  /** Applies the outbox rows of one just-stored exchange, for the given tiers or all. */
  async applyExchange(exchange: Exchange, tiers?: readonly ProjectionTier[]): Promise<ReconcileReport> {
    const outbox = this.stores.outbox;
    if (!outbox) return emptyReport();
    const items = await outbox.claim(10, leaseMs, { exchangeId: exchange.id, tiers });
    return this.applyItems(items, new Map([[exchange.id, exchange]]), false);
  }

  /** Applies due outbox rows, `batchSize` at a time, until none are due or `maxBatches` ran. */
  async drain(options: { batchSize?: number; maxBatches?: number } = {}): Promise<ReconcileReport> {
    const total = emptyReport();
    const outbox = this.stores.outbox;
    if (!outbox) return total;
    for (let round = 0; round < (options.maxBatches ?? 100); round++) {
      const items = await outbox.claim(options.batchSize ?? 100, leaseMs);
      if (items.length === 0) break;
      const report = await this.applyItems(items, await this.load(items), true);
      total.applied += report.applied;
      total.failed += report.failed;
      total.errors.push(...report.errors);
    }
    return total;
  }

  /** Rebuilds the chosen projections of one user from the archive. */
  async rebuildUser(userId: string, tiers: readonly ProjectionTier[]): Promise<void> {
    const { archive, summaries, graph } = this.stores;
    if (!archive) return;
    if (tiers.includes("redis")) await this.projector.rebuildCache(userId);
    const all = tiers.some((t) => t === "chroma" || t === "neo4j") ? await archive.allExchanges(userId) : [];
    if (tiers.includes("chroma") && summaries) {
      await summaries.deleteUser(userId);
      const lastOfWindow = new Map<number, Exchange>();
      for (const e of all) lastOfWindow.set(this.projector.windowIndex(e), e);
      for (const e of lastOfWindow.values()) await this.projector.toSummaries(e);
    }
    if (tiers.includes("neo4j") && graph) {
      await graph.deleteUser(userId);
      for (const e of all) await this.projector.apply("neo4j", e);
    }
  }

  /** Rebuilds the chosen projections of every user, a page of users at a time. */
  async rebuildAll(tiers: readonly ProjectionTier[]): Promise<number> {
    const archive = this.stores.archive;
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

  private async load(items: readonly OutboxItem[]): Promise<Map<string, Exchange>> {
    const byUser = new Map<string, string[]>();
    for (const i of items) byUser.set(i.userId, [...(byUser.get(i.userId) ?? []), i.exchangeId]);
    const loaded = new Map<string, Exchange>();
    for (const [userId, ids] of byUser)
      for (const e of (await this.stores.archive?.byIds(userId, ids)) ?? []) loaded.set(e.id, e);
    return loaded;
  }

  /**
   * One user's rows for one tier run in order (that tier's projection builds on the one before);
   * tiers and users run in parallel.
   */
  private async applyItems(
    items: readonly OutboxItem[],
    exchanges: Map<string, Exchange>,
    replay: boolean,
  ): Promise<ReconcileReport> {
    const report = emptyReport();
    const done: number[] = [];
    const lanes = new Map<string, OutboxItem[]>();
    for (const i of items) {
      const lane = `${i.tier} ${i.userId}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), i]);
    }
    await Promise.all(
      [...lanes.values()].map(async (laneItems) => {
        for (const item of laneItems) {
          const exchange = exchanges.get(item.exchangeId);
          try {
            if (exchange) await this.projector.apply(item.tier, exchange, replay || item.attempts > 1);
            done.push(item.id);
            report.applied++;
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            report.failed++;
            report.errors.push({ tier: item.tier, exchangeId: item.exchangeId, error: message });
            await this.stores.outbox
              ?.fail(item.id, item.attempts, `${item.tier}: ${message}`)
              .catch(() => undefined);
          }
        }
      }),
    );
    await this.stores.outbox?.complete(done);
    return report;
  }
}

const emptyReport = (): ReconcileReport => ({ applied: 0, failed: 0, errors: [] });
