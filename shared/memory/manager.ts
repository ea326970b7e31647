/**
 * HierarchicalMemoryManager: the one object the API, the migration and the benchmarks call.
 * Tier 2 (Postgres) is the source of truth: a store is acknowledged once its transaction (the
 * exchange plus its outbox rows) commits. Redis, Chroma and Neo4j are projections applied from the
 * outbox: the recent cache written through before the store answers, summaries and graph in the
 * background (waited for only within the store budget), and whatever misses by the reconciler, so a
 * tier that is down never loses or blocks a write. With Postgres disabled the memory is cache-only.
 */
import type { Config, TierName } from "../config/index.js";
import type { Exchange, ExchangeInput, ProjectionTier } from "../domain/types.js";
import { TierUnavailableError } from "../errors/app-error.js";
import { createProcessing, type Processing } from "../processing/index.js";
import { ChromaSummaryIndex } from "../tiers/chroma/summary-index.js";
import { createTierClients, type TierClients, type TierConnectivity } from "../tiers/index.js";
import { Neo4jKnowledgeGraph } from "../tiers/neo4j/knowledge-graph.js";
import { PostgresArchive } from "../tiers/postgres/archive.js";
import { isConnectionFailure } from "../tiers/postgres/errors.js";
import { applyMigrations } from "../tiers/postgres/migrations.js";
import { PostgresOutbox } from "../tiers/postgres/outbox.js";
import { RedisRecentCache } from "../tiers/redis/recent-cache.js";
import { withTimeout } from "../util/timeout.js";
import { IntelligentContextAssembler } from "./assembler/assembler.js";
import type { AssembledContext, ContextRequest } from "./assembler/types.js";
import { BulkProjector } from "./bulk-projector.js";
import { type TierHealth, TierHealthTracker } from "./health.js";
import { Projector } from "./projector.js";
import { type ReconcileReport, Reconciler } from "./reconciler.js";
import type { MemoryStores } from "./stores.js";

export interface StoreResult {
  exchangeId: string;
  /** True when an earlier store with the same idempotency key already wrote this exchange. */
  duplicate: boolean;
  /** Projection tiers not yet applied when the store answered; the outbox will apply them. */
  pending: ProjectionTier[];
}

export interface HealthStatus {
  mode: "durable" | "cache-only";
  tiers: TierHealth[];
  outboxBacklog?: Record<ProjectionTier, number>;
}

export class EmptyFieldError extends Error {
  constructor(readonly field: string) {
    super(`${field} must not be empty`);
    this.name = "EmptyFieldError";
  }
}

/** Longest a store waits for its write-through to the recent cache before answering without it. */
const writeThroughWaitMs = 250;
/** Stores whose summary and graph projections may run in this process at once. */
const maxDerivedInFlight = 32;

export class HierarchicalMemoryManager {
  readonly stores: MemoryStores;
  readonly health: TierHealthTracker;
  readonly assembler: IntelligentContextAssembler;
  readonly reconciler: Reconciler;
  /** Projects many archived exchanges at once (migration batches). */
  readonly bulk: BulkProjector;
  /** The projection tiers enabled here, each fed from the outbox. */
  readonly projections: ProjectionTier[];

  constructor(
    readonly config: Config,
    readonly clients: TierClients,
    readonly processing: Processing = createProcessing(config),
  ) {
    const { postgres, redis, chroma, neo4j } = clients;
    this.stores = {
      archive: postgres && new PostgresArchive(postgres),
      outbox: postgres && new PostgresOutbox(postgres),
      cache:
        redis &&
        new RedisRecentCache(redis, {
          keyPrefix: config.redis.keyPrefix,
          size: config.memory.recentCacheSize,
          ttlSeconds: config.cacheTtlSeconds,
        }),
      summaries: chroma && new ChromaSummaryIndex(chroma, config.chroma.collection, config.chroma.shards),
      graph: neo4j && new Neo4jKnowledgeGraph(neo4j, config.neo4j.database),
    };
    this.health = new TierHealthTracker({
      redis: config.redis.enabled,
      postgres: config.postgres.enabled,
      chroma: config.chroma.enabled,
      neo4j: config.neo4j.enabled,
    });
    const projector = new Projector(this.stores, this.processing, this.health, {
      summaryWindow: config.memory.summaryWindow,
      // A quarter of the pool: the rest stays free for stores and context reads.
      lockedConnections: Math.floor(config.postgres.maxConnections / 4),
    });
    this.reconciler = new Reconciler(this.stores, projector);
    this.bulk = new BulkProjector(
      this.stores,
      projector,
      this.processing,
      this.health,
      config.memory.summaryWindow,
    );
    this.assembler = new IntelligentContextAssembler(this.stores, this.processing, this.health, config);
    this.projections = [
      ...(this.stores.cache ? (["redis"] as const) : []),
      ...(this.stores.summaries ? (["chroma"] as const) : []),
      ...(this.stores.graph ? (["neo4j"] as const) : []),
    ];
  }

  private initialized?: Promise<TierConnectivity[]>;
  private derivedInFlight = 0;

  /** initializeTiers() once per process (a Lambda container's first request pays for it). */
  ensureInitialized(): Promise<TierConnectivity[]> {
    this.initialized ??= this.initializeTiers().catch((error: unknown) => {
      this.initialized = undefined;
      throw error;
    });
    return this.initialized;
  }

  static fromConfig(config: Config): HierarchicalMemoryManager {
    return new HierarchicalMemoryManager(config, createTierClients(config));
  }

  get mode(): HealthStatus["mode"] {
    return this.stores.archive ? "durable" : "cache-only";
  }

  /**
   * Prepares every enabled tier: schema migrations, the Chroma collection, Neo4j constraints.
   * A projection tier that fails is reported (and repaired later); Postgres failing throws.
   */
  async initializeTiers(): Promise<TierConnectivity[]> {
    const { postgres } = this.clients;
    const steps: [TierName, (() => Promise<unknown>) | undefined][] = [
      ["postgres", postgres && (() => applyMigrations(postgres))],
      [
        "chroma",
        this.stores.summaries && (() => this.stores.summaries?.ensureCollection() as Promise<unknown>),
      ],
      ["neo4j", this.stores.graph && (() => this.stores.graph?.ensureSchema() as Promise<unknown>)],
    ];
    const results = await Promise.all(
      steps
        .filter(([, step]) => step)
        .map(async ([tier, step]) => {
          const started = performance.now();
          try {
            await this.health.track(tier, step as () => Promise<unknown>);
            return { tier, ok: true, latencyMs: performance.now() - started };
          } catch (error) {
            return { tier, ok: false, latencyMs: performance.now() - started, error: String(error) };
          }
        }),
    );
    const failedPostgres = results.find((r) => r.tier === "postgres" && !r.ok);
    if (failedPostgres) throw new Error(`Postgres could not be initialized: ${failedPostgres.error}`);
    return results;
  }

  async storeConversation(input: ExchangeInput): Promise<StoreResult> {
    if (!input.userId.trim()) throw new EmptyFieldError("userId");
    if (!input.userMessage.trim() && !input.botResponse.trim()) throw new EmptyFieldError("userMessage");
    const { archive } = this.stores;
    if (!archive) return this.storeCacheOnly(input);
    const { exchange, duplicate } = await this.health
      .track("postgres", () => archive.insertExchange(input, this.projections))
      .catch((error: unknown) => {
        throw isConnectionFailure(error) ? new TierUnavailableError("postgres", { cause: error }) : error;
      });
    if (duplicate) return { exchangeId: exchange.id, duplicate, pending: [] };
    const pending = await this.project(exchange);
    return { exchangeId: exchange.id, duplicate, pending };
  }

  getConversationContext(request: ContextRequest): Promise<AssembledContext> {
    return this.assembler.assembleContext(request);
  }

  async testTierConnectivity(timeoutMs?: number): Promise<TierConnectivity[]> {
    const results = await this.clients.testConnectivity(timeoutMs);
    for (const r of results) this.health.record(r.tier, r.latencyMs, r.ok ? undefined : new Error(r.error));
    return results;
  }

  async getTierHealthStatus(): Promise<HealthStatus> {
    const outboxBacklog = await this.stores.outbox?.backlog().catch(() => undefined);
    return { mode: this.mode, tiers: this.health.snapshot(), outboxBacklog };
  }

  /** Applies due outbox rows to the projections (the scheduled worker calls this). */
  reconcile(options?: { batchSize?: number; maxBatches?: number }): Promise<ReconcileReport> {
    return this.reconciler.drain(options);
  }

  rebuildUser(userId: string, tiers: readonly ProjectionTier[] = this.projections): Promise<void> {
    return this.reconciler.rebuildUser(userId, tiers);
  }

  rebuildAll(tiers: readonly ProjectionTier[] = this.projections): Promise<number> {
    return this.reconciler.rebuildAll(tiers);
  }

  /**
   * Erases the user from every tier: the archive first (so no outbox row can bring data back), then
   * every projection. Throws, naming the tiers, when one could not be erased; retrying is safe.
   */
  async deleteUser(userId: string): Promise<{ exchanges: number }> {
    const { archive, cache, summaries, graph } = this.stores;
    const exchanges = (await archive?.deleteUser(userId)) ?? 0;
    const results = await Promise.allSettled([
      cache?.deleteUser(userId),
      summaries?.deleteUser(userId),
      graph?.deleteUser(userId),
    ]);
    const failed = (["redis", "chroma", "neo4j"] as const).filter(
      (_, i) => results[i]?.status === "rejected",
    );
    if (failed.length > 0)
      throw new Error(`user erased from Postgres but not yet from: ${failed.join(", ")}; retry`);
    return { exchanges };
  }

  /** Everything held about a user, from the source of truth and each projection. */
  async exportUser(userId: string) {
    const { archive, cache, graph } = this.stores;
    return {
      userId,
      exportedAt: new Date().toISOString(),
      exchanges: (await archive?.allExchanges(userId)) ?? [],
      summaries: (await archive?.summaries(userId)) ?? [],
      recentCache: (await cache?.recent(userId, cache.capacity)) ?? [],
      graph: (await graph?.exportUser(userId)) ?? { entities: [], facts: [] },
    };
  }

  close(): Promise<void> {
    return this.clients.close();
  }

  /**
   * Writes the recent cache through (waited for, up to `writeThroughWaitMs`) and starts the derived
   * projections (summaries, graph), waiting for them only within the store budget: they go on in
   * the background, and whatever misses is finished from the outbox. Returns the tiers still pending.
   */
  private async project(exchange: Exchange): Promise<ProjectionTier[]> {
    const cacheTiers = this.projections.filter((t) => t === "redis");
    const derivedTiers = this.projections.filter((t) => t !== "redis");
    const within = async (
      tiers: ProjectionTier[],
      ms: number,
      work: () => Promise<ReconcileReport | undefined>,
    ) => {
      if (tiers.length === 0) return [];
      const report = await withTimeout(
        work().catch(() => undefined),
        ms,
        "over budget",
      ).catch(() => undefined);
      return report ? [...new Set(report.errors.map((e) => e.tier))] : tiers;
    };
    const startDerived = () => {
      // Bounded: under a burst of stores the rest waits in the outbox instead of piling up here.
      if (this.derivedInFlight >= maxDerivedInFlight) return Promise.resolve(undefined);
      this.derivedInFlight++;
      return this.reconciler.applyExchange(exchange, derivedTiers).finally(() => this.derivedInFlight--);
    };
    const pending = await Promise.all([
      within(cacheTiers, writeThroughWaitMs, () => this.reconciler.applyExchange(exchange, cacheTiers)),
      within(derivedTiers, this.config.memory.storeProcessingBudgetMs, startDerived),
    ]);
    return pending.flat();
  }

  private async storeCacheOnly(input: ExchangeInput): Promise<StoreResult> {
    const cache = this.stores.cache;
    if (!cache) throw new Error("no tier can store: Postgres and Redis are both disabled");
    const exchange: Exchange = {
      id: crypto.randomUUID(),
      userId: input.userId,
      ordinal: Number.MAX_SAFE_INTEGER,
      userMessage: input.userMessage,
      botResponse: input.botResponse,
      speaker: input.speaker,
      metadata: input.metadata ?? {},
      createdAt: input.timestamp ?? new Date(),
    };
    if (input.idempotencyKey) {
      const first = await cache.claimIdempotencyKey(input.userId, input.idempotencyKey, exchange.id);
      if (first) return { exchangeId: first, duplicate: true, pending: [] };
    }
    await this.health.track("redis", () => cache.push(exchange));
    return { exchangeId: exchange.id, duplicate: false, pending: [] };
  }
}
