/**
 * The store path. The archive is the source of truth: a store is acknowledged once its exchange and
 * outbox rows commit. Then the recent cache is written through (waited for, briefly) and summaries
 * and graph are derived in the background (waited for only within the store budget); whatever
 * misses is finished from the outbox, so a tier that is down never loses or blocks a write. Without
 * an archive (Postgres disabled) the memory is cache-only.
 */
import type { ProjectionTier } from "../domain/tiers.js";
import { type Exchange, type ExchangeInput, scopeOf } from "../domain/types.js";
import {
  ConfigError,
  describeError,
  InvalidInputError,
  TierUnavailableError,
  TimeoutError,
} from "../errors/memory-error.js";
import type { NewExchange } from "../tiers/archive.js";
import type { MemoryStores } from "../tiers/stores.js";
import type { Logger } from "../util/logger.js";
import { withTimeout } from "../util/timeout.js";
import type { TierHealthTracker } from "./health.js";
import { ProjectionQueue } from "./projection/queue.js";
import type { ProjectionService, ReconcileReport } from "./projection/service.js";

export interface StoreResult {
  exchangeId: string;
  /** True when an earlier store with the same idempotency key already wrote this exchange. */
  duplicate: boolean;
  /** Projection tiers not yet applied when the store answered; the outbox will apply them. */
  pending: ProjectionTier[];
}

export interface StoreDeps {
  stores: MemoryStores;
  projection: ProjectionService;
  health: TierHealthTracker;
  logger: Logger;
  /** How long a store waits for summaries and graph before answering (they go on regardless). */
  processingBudgetMs: number;
  /** How long a store waits for the archive to commit before answering 503. */
  timeoutMs: number;
}

/** Longest a store waits for its write-through to the recent cache before answering without it. */
const writeThroughWaitMs = 250;
/**
 * Users whose summary and graph projections run in this process at once, and the stored exchanges
 * that may wait for them (more are left to the outbox worker). Few lanes: under a burst the reads
 * keep the stores' and the machine's time, and a user's waiting exchanges are applied together.
 */
const derivedLanes = 2;
const derivedWaiting = 256;

export class StoreService {
  readonly #deps: StoreDeps;
  /** Bounded: under a burst of stores the rest waits in the outbox instead of piling up here. */
  readonly #derived: ProjectionQueue<ReconcileReport>;

  constructor(deps: StoreDeps) {
    this.#deps = deps;
    const derivedTiers = deps.projection.tiers.filter((t) => t !== "redis");
    this.#derived = new ProjectionQueue(
      (exchanges) => deps.projection.applyExchanges(exchanges, derivedTiers),
      {
        concurrency: derivedLanes,
        capacity: derivedWaiting,
      },
    );
  }

  /** Resolves once the background projections of this process's stores have finished (or failed). */
  projectionsIdle(): Promise<void> {
    return this.#derived.idle();
  }

  get mode(): "durable" | "cache-only" {
    return this.#deps.stores.archive ? "durable" : "cache-only";
  }

  async store(input: ExchangeInput): Promise<StoreResult> {
    if (!input.userId.trim()) throw new InvalidInputError("userId must not be empty", { field: "userId" });
    if (!input.userMessage.trim() && !input.botResponse.trim())
      throw new InvalidInputError("userMessage and botResponse cannot both be empty", {
        field: "userMessage",
      });
    const { archive } = this.#deps.stores;
    if (!archive) return this.#storeCacheOnly(input);
    const { projection, health } = this.#deps;
    // A hung primary must not hold the store past the client's (and Lambda's) patience; the insert
    // may still commit later, so the answer says to retry with the same key, which then finds it.
    const insert = withTimeout(
      archive.insertExchange(input, projection.tiers),
      this.#deps.timeoutMs,
      `postgres did not commit within ${this.#deps.timeoutMs} ms`,
    ).catch((error: unknown) => {
      throw error instanceof TimeoutError
        ? new TierUnavailableError("postgres", {
            cause: error,
            failed: "the store was not confirmed",
            retry: "retry with the same idempotency key",
          })
        : error;
    });
    const { exchange, duplicate } = await health.track("postgres", () => insert);
    if (duplicate) return { exchangeId: exchange.id, duplicate, pending: [] };
    return { exchangeId: exchange.id, duplicate, pending: await this.#project(exchange) };
  }

  /**
   * The bulk path (imports, loads): writes the exchanges not already stored (by user and idempotency
   * key) in one transaction, then projects them a few round trips per tier. A tier that fails keeps
   * its rows in the outbox. Returns what was written and the tiers still pending.
   */
  async storeMany(
    exchanges: readonly NewExchange[],
  ): Promise<{ stored: Exchange[]; pending: ProjectionTier[] }> {
    const { archive } = this.#deps.stores;
    if (!archive) throw new TierUnavailableError("postgres", { failed: "bulk stores need the archive" });
    const { projection, health } = this.#deps;
    const stored = await health.track("postgres", () => archive.insertExchanges(exchanges, projection.tiers));
    const report = await projection.applyMany(stored);
    return { stored, pending: report.failed.map((f) => f.tier) };
  }

  /**
   * Projects an exchange the archive just changed (a correction, whose outbox rows committed with
   * it) the way a store projects a new one; returns the tiers still pending.
   */
  reproject(exchange: Exchange): Promise<ProjectionTier[]> {
    return this.#project(exchange);
  }

  /** Returns the tiers still pending when the store answers. */
  async #project(exchange: Exchange): Promise<ProjectionTier[]> {
    const { projection, processingBudgetMs } = this.#deps;
    const cacheTiers = projection.tiers.filter((t) => t === "redis");
    const derivedTiers = projection.tiers.filter((t) => t !== "redis");
    // The batch's report, as far as this exchange goes.
    const startDerived = async () => {
      const report = await this.#derived.offer(exchange);
      return report && { ...report, errors: report.errors.filter((e) => e.exchangeId === exchange.id) };
    };
    const pending = await Promise.all([
      this.#within(cacheTiers, writeThroughWaitMs, () => projection.applyExchanges([exchange], cacheTiers)),
      this.#within(derivedTiers, processingBudgetMs, startDerived),
    ]);
    return pending.flat();
  }

  /** Waits up to `ms` for `work`; the tiers it did not apply (or all, when late or failed) are pending. */
  async #within(
    tiers: ProjectionTier[],
    ms: number,
    work: () => Promise<ReconcileReport | undefined>,
  ): Promise<ProjectionTier[]> {
    if (tiers.length === 0) return [];
    const running = work().catch((error: unknown) => {
      // The outbox row stays due: the reconciler applies it later.
      this.#deps.logger.debug("projection left to the outbox", { tiers, cause: describeError(error) });
      return undefined;
    });
    const report = await withTimeout(running, ms, "over the store budget").catch(() => undefined);
    return report ? [...new Set(report.errors.map((e) => e.tier))] : tiers;
  }

  async #storeCacheOnly(input: ExchangeInput): Promise<StoreResult> {
    const { cache } = this.#deps.stores;
    // loadConfig refuses this combination; a hand-made config could still reach it.
    if (!cache) throw new ConfigError(["no tier can store: Postgres and Redis are both disabled"]);
    const exchange: Exchange = {
      id: crypto.randomUUID(),
      userId: input.userId,
      kind: input.kind ?? "exchange",
      version: 1,
      ordinal: Number.MAX_SAFE_INTEGER,
      userMessage: input.userMessage,
      botResponse: input.botResponse,
      speaker: input.speaker,
      ...scopeOf(input),
      metadata: input.metadata ?? {},
      createdAt: input.timestamp ?? new Date(),
    };
    if (input.idempotencyKey) {
      const first = await cache.claimIdempotencyKey(input.userId, input.idempotencyKey, exchange.id);
      if (first) return { exchangeId: first, duplicate: true, pending: [] };
    }
    await this.#deps.health.track("redis", () => cache.push(exchange));
    return { exchangeId: exchange.id, duplicate: false, pending: [] };
  }
}
