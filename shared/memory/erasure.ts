/**
 * Erasure as a durable job. The archive erases a user and queues one task per projection tier in the
 * same commit (Archive.eraseUser); the request runs its tasks at once, and whatever a tier could not
 * do then is retried by the worker until the tier is clean, and once more after projections that
 * were in flight at the erase can have finished. Deleting one exchange works the same way with tasks
 * of that exchange only. The orphan sweep finds projection data of users the archive does not have,
 * however it got there.
 */
import type { ProjectionTier } from "../domain/tiers.js";
import { describeError } from "../errors/memory-error.js";
import type { EraseTask, Erasures } from "../tiers/erasures.js";
import { tierFailureCode } from "../tiers/failures.js";
import type { MemoryStores } from "../tiers/stores.js";
import type { Logger } from "../util/logger.js";

export interface ErasureDeps {
  stores: MemoryStores & { erasures?: Erasures };
  logger: Logger;
  /** When the final pass runs after the first: after projections in flight can have finished. */
  finalPassAfterMs: number;
  /** Rebuilds a user's projection from the archive (the sweep, when a user arrived meanwhile). */
  rebuild: (userId: string, tiers: readonly ProjectionTier[]) => Promise<void>;
  /** Takes one deleted exchange out of the task's tier (an exchange-level task). */
  forget: (task: EraseTask & { exchangeId: string }) => Promise<void>;
}

export interface ErasureReport {
  done: number;
  failed: number;
}

const leaseMs = 60_000;

/** What erasing and sweeping need of a projection store. */
type ProjectionStore = Pick<NonNullable<MemoryStores["cache"]>, "deleteUser" | "scanUsers">;

export class ErasureService {
  readonly #deps: ErasureDeps;

  constructor(deps: ErasureDeps) {
    this.#deps = deps;
  }

  /** Runs one user's (or one exchange's) due tasks now; returns the tiers that could not be erased yet. */
  async runFor(userId: string, exchangeId?: string): Promise<ProjectionTier[]> {
    const only = exchangeId === undefined ? { userId } : { userId, exchangeId };
    const tasks = (await this.#deps.stores.erasures?.claim(10, leaseMs, only)) ?? [];
    const outcomes = await this.#run(tasks);
    return tasks.filter((_, i) => !outcomes[i]).map((t) => t.tier);
  }

  /** Works due tasks, `batchSize` at a time, until none are due or `maxBatches` ran (the worker). */
  async drain(options: { batchSize?: number; maxBatches?: number } = {}): Promise<ErasureReport> {
    const report = { done: 0, failed: 0 };
    const { erasures } = this.#deps.stores;
    if (!erasures) return report;
    for (let round = 0; round < (options.maxBatches ?? 20); round++) {
      const tasks = await erasures.claim(options.batchSize ?? 100, leaseMs);
      if (tasks.length === 0) break;
      for (const ok of await this.#run(tasks)) ok ? report.done++ : report.failed++;
    }
    return report;
  }

  /**
   * Erases from each projection tier the users the archive has nothing of (left by a failure, a
   * bug, an erase that predates the tasks). Returns how many users each tier held so. Without an
   * archive (cache-only mode) the cache is the memory itself: nothing is swept. `tenant`: only that
   * tenant's users.
   */
  async sweepOrphans(options: { tenant?: string } = {}): Promise<Record<ProjectionTier, number>> {
    const mine = (userId: string) => options.tenant === undefined || userId.startsWith(`${options.tenant}/`);
    const swept = { redis: 0, chroma: 0, neo4j: 0 };
    const { archive } = this.#deps.stores;
    if (!archive) return swept;
    for (const [tier, store] of this.#tierStores()) {
      if (!store) continue;
      // Collect first: deleting while a store pages through its users could skip some.
      const orphans = new Set<string>();
      for await (const scanned of store.scanUsers()) {
        const batch = scanned.filter(mine);
        const known = await archive.knownUsers(batch);
        for (const userId of batch) if (!known.has(userId)) orphans.add(userId);
      }
      for (const userId of orphans) {
        await store.deleteUser(userId);
        swept[tier]++;
        // A first store may have committed meanwhile: its projection comes back from the archive.
        if ((await archive.knownUsers([userId])).has(userId)) await this.#deps.rebuild(userId, [tier]);
      }
      if (orphans.size > 0)
        this.#deps.logger.warn("orphan projection data erased", { tier, users: orphans.size });
    }
    return swept;
  }

  /** Runs each task against its tier; true where the tier is clean (and the task moved on). */
  async #run(tasks: readonly EraseTask[]): Promise<boolean[]> {
    const { erasures } = this.#deps.stores;
    if (!erasures) return tasks.map(() => true);
    const stores = this.#tierStores();
    return Promise.all(
      tasks.map(async (task) => {
        try {
          const { exchangeId } = task;
          if (exchangeId !== undefined) await this.#deps.forget({ ...task, exchangeId });
          else await stores.find(([tier]) => tier === task.tier)?.[1]?.deleteUser(task.userId);
          await erasures.done(task, this.#deps.finalPassAfterMs);
          return true;
        } catch (error) {
          this.#deps.logger.warn("erase task failed; it will be retried", {
            tier: task.tier,
            code: tierFailureCode(error),
            cause: describeError(error),
          });
          // Unrecorded, the task comes back when its lease ends instead.
          await erasures
            .fail(task, describeError(error))
            .catch((failed: unknown) =>
              this.#deps.logger.debug("erase task not backed off", { cause: describeError(failed) }),
            );
          return false;
        }
      }),
    );
  }

  /** Each projection tier with the store that erases and lists its users (absent when the tier is off). */
  #tierStores(): [ProjectionTier, ProjectionStore | undefined][] {
    const { cache, summaries, graph } = this.#deps.stores;
    return [
      ["redis", cache],
      ["chroma", summaries],
      ["neo4j", graph],
    ];
  }
}
