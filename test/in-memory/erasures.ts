/** In-memory test double of the Erasures port (shared/tiers/erasures.ts), over the shared InMemoryDatabase. */
import type { ProjectionTier } from "../../shared/domain/tiers.js";
import { type EraseTask, type Erasures, tombstoneOf } from "../../shared/tiers/erasures.js";
import { retryDelayMs } from "../../shared/tiers/outbox.js";
import { type InMemoryDatabase, eraseTaskKey as keyOf } from "./database.js";

export class InMemoryErasures implements Erasures {
  readonly #db: InMemoryDatabase;

  constructor(db: InMemoryDatabase) {
    this.#db = db;
  }

  async claim(
    limit: number,
    leaseMs: number,
    only: { userId?: string; exchangeId?: string } = {},
  ): Promise<EraseTask[]> {
    const now = Date.now();
    const due = [...this.#db.eraseTasks.values()]
      .filter(
        (t) =>
          t.availableAt <= now &&
          (only.userId === undefined || t.userId === only.userId) &&
          (only.exchangeId === undefined || t.exchangeId === only.exchangeId),
      )
      .sort((a, b) => a.availableAt - b.availableAt)
      .slice(0, limit);
    for (const t of due) {
      t.availableAt = now + leaseMs;
      t.attempts++;
    }
    return due.map(({ userId, tier, final, attempts, exchangeId, windowIndex }) => ({
      userId,
      tier,
      final,
      attempts,
      ...(exchangeId === undefined ? {} : { exchangeId, windowIndex }),
    }));
  }

  async done(task: EraseTask, finalPassAfterMs: number): Promise<void> {
    const row = this.#db.eraseTasks.get(keyOf(task));
    if (!row || row.final !== task.final) return;
    if (task.final) this.#db.eraseTasks.delete(keyOf(task));
    else
      Object.assign(row, {
        final: true,
        attempts: 0,
        lastError: undefined,
        availableAt: Date.now() + finalPassAfterMs,
      });
  }

  async fail(task: EraseTask, error: string): Promise<void> {
    const row = this.#db.eraseTasks.get(keyOf(task));
    if (row) Object.assign(row, { lastError: error, availableAt: Date.now() + retryDelayMs(task.attempts) });
  }

  async pending(): Promise<Record<ProjectionTier, number>> {
    const counts = { redis: 0, chroma: 0, neo4j: 0 };
    for (const t of this.#db.eraseTasks.values()) counts[t.tier]++;
    return counts;
  }

  async releaseAll(): Promise<void> {
    for (const t of this.#db.eraseTasks.values()) t.availableAt = 0;
  }

  async erased(userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds.filter((u) => this.#db.erased.has(tombstoneOf(u).toString("hex"))));
  }
}
