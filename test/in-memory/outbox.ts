/** In-memory test double of the Outbox port (shared/tiers/outbox.ts), over the shared InMemoryDatabase. */

import type { ProjectionTier } from "../../shared/domain/tiers.js";
import type { OutboxItem } from "../../shared/domain/types.js";
import { type Outbox, type OutboxSelection, retryDelayMs } from "../../shared/tiers/outbox.js";
import type { InMemoryDatabase, OutboxRow } from "./database.js";

const toItem = (r: OutboxRow): OutboxItem => ({
  id: r.id,
  exchangeId: r.exchangeId,
  userId: r.userId,
  tier: r.tier,
  attempts: r.attempts,
});

export class InMemoryOutbox implements Outbox {
  readonly #db: InMemoryDatabase;

  constructor(db: InMemoryDatabase) {
    this.#db = db;
  }

  async claim(limit: number, leaseMs: number, only: OutboxSelection = {}): Promise<OutboxItem[]> {
    const now = Date.now();
    const due = [...this.#db.outbox.values()]
      .filter(
        (r) =>
          r.availableAt <= now &&
          (only.exchangeId === undefined || r.exchangeId === only.exchangeId) &&
          (only.exchangeIds === undefined || only.exchangeIds.includes(r.exchangeId)) &&
          (only.tiers === undefined || only.tiers.includes(r.tier)),
      )
      .sort((a, b) => a.id - b.id)
      .slice(0, limit);
    for (const r of due) {
      r.availableAt = now + leaseMs;
      r.attempts += 1;
    }
    return due.map(toItem);
  }

  async complete(ids: readonly number[]): Promise<void> {
    for (const id of ids) this.#db.outbox.delete(id);
  }

  async completeFor(exchangeIds: readonly string[], tier: ProjectionTier): Promise<void> {
    const done = new Set(exchangeIds);
    for (const [id, r] of this.#db.outbox)
      if (r.tier === tier && done.has(r.exchangeId)) this.#db.outbox.delete(id);
  }

  async fail(id: number, attempts: number, error: string): Promise<void> {
    const row = this.#db.outbox.get(id);
    if (!row) return;
    row.lastError = error.slice(0, 1000);
    row.availableAt = Date.now() + retryDelayMs(attempts);
  }

  async backlog(): Promise<Record<ProjectionTier, number>> {
    const counts = { redis: 0, chroma: 0, neo4j: 0 };
    for (const r of this.#db.outbox.values()) counts[r.tier]++;
    return counts;
  }

  async releaseAll(tier?: ProjectionTier): Promise<void> {
    const now = Date.now();
    for (const r of this.#db.outbox.values()) if (tier === undefined || r.tier === tier) r.availableAt = now;
  }
}
