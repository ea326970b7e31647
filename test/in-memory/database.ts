/**
 * In-memory stand-in for the Postgres tables the Archive, Outbox and MigrationRunStore share (users,
 * exchanges, summaries, outbox, migration_runs, migration_batches): writes that touch several
 * tables happen in one synchronous step, as the real ones happen in one transaction.
 */

import type { ProjectionTier } from "../../shared/domain/tiers.js";
import { type Exchange, type ExchangeVersion, type Summary, scopeOf } from "../../shared/domain/types.js";
import type { NewExchange } from "../../shared/tiers/archive.js";
import { tombstoneOf } from "../../shared/tiers/erasures.js";
import type { MigrationRun } from "../../shared/tiers/migration-runs.js";

export interface ExchangeRow {
  exchange: Exchange;
  idempotencyKey?: string;
  /** The migration run that wrote it. */
  runId?: string;
  /** The versions corrections replaced, oldest first (Postgres: exchange_versions). */
  versions?: ExchangeVersion[];
}

export interface OutboxRow {
  id: number;
  exchangeId: string;
  userId: string;
  tier: ProjectionTier;
  attempts: number;
  availableAt: number;
  lastError?: string;
}

export interface EraseTaskRow {
  userId: string;
  tier: ProjectionTier;
  exchangeId?: string;
  windowIndex?: number;
  final: boolean;
  attempts: number;
  availableAt: number;
  lastError?: string;
}

export interface BatchRow {
  runId: string;
  collection: string;
  index: number;
  report: unknown;
  doneAt: Date;
}

/** A copy through JSON, as a jsonb column would give it back. */
export const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export const copyExchange = (e: Exchange): Exchange => ({ ...e, metadata: viaJson(e.metadata) });

const pairKey = (userId: string, key: string) => `${userId}\u0000${key}`;

/** What Postgres's imports table keeps beside an import's run. */
export interface ImportRow {
  tenantId: string;
  format: string;
  body: string | null;
  location: string | null;
  units: number | null;
  launchedAt: Date | null;
  createdAt: Date;
}

export class InMemoryDatabase {
  /** Per user, the last ordinal handed out (Postgres: users.exchange_count). */
  readonly users = new Map<string, { lastOrdinal: number }>();
  /** By exchange id, in store order. */
  readonly exchanges = new Map<string, ExchangeRow>();
  readonly byKey = new Map<string, string>();
  /** By user and window index. */
  readonly summaries = new Map<string, Summary>();
  readonly outbox = new Map<number, OutboxRow>();
  readonly runs = new Map<string, MigrationRun>();
  /** Bulk imports by run id (Postgres: imports); their runs are in `runs`. */
  readonly imports = new Map<string, ImportRow>();
  /** Erase tasks by user, tier and exchange (eraseTaskKey; Postgres: erase_tasks). */
  readonly eraseTasks = new Map<string, EraseTaskRow>();
  /** Tombstones: hex SHA-256 of erased user ids (Postgres: erased_users). */
  readonly erased = new Set<string>();
  /** Ids of exchanges deleted one by one (Postgres: erased_exchanges). */
  readonly deletedExchanges = new Set<string>();
  /** By run, collection and batch index. */
  readonly batches = new Map<string, BatchRow>();
  #nextOutboxId = 1;

  rowsOf(userId: string): ExchangeRow[] {
    return [...this.exchanges.values()]
      .filter((r) => r.exchange.userId === userId)
      .sort((a, b) => a.exchange.ordinal - b.exchange.ordinal);
  }

  byIdempotencyKey(userId: string, key: string): Exchange | undefined {
    const id = this.byKey.get(pairKey(userId, key));
    return id === undefined ? undefined : this.exchanges.get(id)?.exchange;
  }

  /** Numbers the exchange after the user's last and writes it with one outbox row per projection. */
  insert(
    fields: Omit<Exchange, "ordinal" | "kind" | "version"> & Partial<Pick<Exchange, "kind">>,
    projections: readonly ProjectionTier[],
    extra: { idempotencyKey?: string; runId?: string } = {},
  ): Exchange {
    const user = this.users.get(fields.userId) ?? { lastOrdinal: 0 };
    this.users.set(fields.userId, user);
    user.lastOrdinal += 1;
    const exchange = copyExchange({ kind: "exchange", ...fields, version: 1, ordinal: user.lastOrdinal });
    this.exchanges.set(exchange.id, { exchange, ...extra });
    if (extra.idempotencyKey !== undefined)
      this.byKey.set(pairKey(exchange.userId, extra.idempotencyKey), exchange.id);
    this.queue(exchange, projections);
    return copyExchange(exchange);
  }

  /** One outbox row per projection for the exchange (a store, a correction). */
  queue(exchange: Exchange, projections: readonly ProjectionTier[]): void {
    for (const tier of projections) {
      const id = this.#nextOutboxId++;
      this.outbox.set(id, {
        id,
        exchangeId: exchange.id,
        userId: exchange.userId,
        tier,
        attempts: 0,
        availableAt: 0,
      });
    }
  }

  /** The bulk path's choice: exchanges not yet present (by user and key, or id), by user, time, key. */
  freshOf(exchanges: readonly NewExchange[]): NewExchange[] {
    const seen = new Set<string>();
    return exchanges
      .filter((e) => {
        const key = pairKey(e.userId, e.idempotencyKey);
        if (this.byKey.has(key) || this.exchanges.has(e.id) || seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .sort(
        (a, b) =>
          a.userId.localeCompare(b.userId) ||
          a.timestamp.getTime() - b.timestamp.getTime() ||
          a.idempotencyKey.localeCompare(b.idempotencyKey),
      );
  }

  insertMany(
    fresh: readonly NewExchange[],
    projections: readonly ProjectionTier[],
    runId?: string,
  ): Exchange[] {
    return fresh.map((e) =>
      this.insert(
        {
          id: e.id,
          userId: e.userId,
          kind: e.kind ?? "exchange",
          userMessage: e.userMessage,
          botResponse: e.botResponse,
          speaker: e.speaker,
          ...scopeOf(e),
          metadata: e.metadata,
          createdAt: new Date(e.timestamp),
        },
        projections,
        { idempotencyKey: e.idempotencyKey, runId },
      ),
    );
  }

  deleteExchange(id: string): void {
    const row = this.exchanges.get(id);
    if (!row) return;
    this.exchanges.delete(id);
    if (row.idempotencyKey !== undefined) this.byKey.delete(pairKey(row.exchange.userId, row.idempotencyKey));
    for (const [outboxId, o] of this.outbox) if (o.exchangeId === id) this.outbox.delete(outboxId);
  }

  deleteSummaries(userId: string): void {
    for (const [key, s] of this.summaries) if (s.userId === userId) this.summaries.delete(key);
  }

  /** Erases the user with a tombstone and one erase task per projection tier, in one step. */
  eraseUser(userId: string, projections: readonly ProjectionTier[]): number {
    const erased = this.deleteUser(userId);
    this.erased.add(tombstoneOf(userId).toString("hex"));
    // The user's tasks cover each exchange's.
    for (const [key, t] of this.eraseTasks)
      if (t.userId === userId && t.exchangeId !== undefined) this.eraseTasks.delete(key);
    for (const tier of projections)
      this.eraseTasks.set(eraseTaskKey({ userId, tier }), {
        userId,
        tier,
        final: false,
        attempts: 0,
        availableAt: 0,
      });
    return erased;
  }

  /** The user row and everything that cascades from it; returns the exchanges erased. */
  deleteUser(userId: string): number {
    const rows = this.rowsOf(userId);
    for (const r of rows) this.deleteExchange(r.exchange.id);
    this.deleteSummaries(userId);
    this.users.delete(userId);
    return rows.length;
  }
}

export const eraseTaskKey = (t: { userId: string; tier: ProjectionTier; exchangeId?: string }) =>
  `${t.userId}\u0000${t.tier}\u0000${t.exchangeId ?? ""}`;
export const summaryKey = (userId: string, windowIndex: number) => `${userId}\u0000${windowIndex}`;
export const batchKey = (runId: string, collection: string, index: number) =>
  `${runId}\u0000${collection}\u0000${index}`;
