/**
 * The composition root: createMemory(config, deps?) builds every store and service once and wires
 * them. Entry points (Lambda handlers, `npm start`, the CLIs, benchmarks) call it; tests pass in
 * stores of their own. Nothing else constructs a store or a service.
 */
import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Config } from "../config/index.js";
import { ConfigError, describeError } from "../errors/memory-error.js";
import { ImportManager } from "../import/import-manager.js";
import { IntelligentContextAssembler } from "../memory/assembler/assembler.js";
import { ErasureService } from "../memory/erasure.js";
import { TierHealthTracker } from "../memory/health.js";
import { HealthService } from "../memory/health-service.js";
import { HierarchicalMemoryManager } from "../memory/manager.js";
import { MemoriesService } from "../memory/memories.js";
import { ProjectionService } from "../memory/projection/service.js";
import { StoreService } from "../memory/store-service.js";
import { UserDataService } from "../memory/user-data.js";
import { WebhookDispatcher } from "../memory/webhooks/dispatcher.js";
import { WebhookEmitter } from "../memory/webhooks/emitter.js";
import { type MemoryEvents, noEvents } from "../memory/webhooks/memory-events.js";
import { WebhookService } from "../memory/webhooks/service.js";
import { httpTransport, type WebhookTransport } from "../memory/webhooks/transport.js";
import { HierarchicalMigrationManager } from "../migration/migration-manager.js";
import { createProcessing, type Processing } from "../processing/index.js";
import { BufferedTrafficLog } from "../tiers/buffered-traffic-log.js";
import { createStores } from "../tiers/index.js";
import type { KeyStore } from "../tiers/key-store.js";
import type { LegacySource } from "../tiers/legacy-source.js";
import type { RateLimiter } from "../tiers/rate-limiter.js";
import type { Stores } from "../tiers/stores.js";
import type { TrafficLog } from "../tiers/traffic-log.js";
import { type AuditLog, stdoutAudit } from "../util/audit.js";
import type { Logger } from "../util/logger.js";
import { noLegacySource, refusingKeyStore } from "./absent-stores.js";

export interface MemoryDeps {
  /** Default: the production stores the config names (createStores). */
  stores?: Stores;
  /** Default: the providers the config names (createProcessing). */
  processing?: Processing;
  /** Default: Powertools' Logger at the config's level. */
  logger?: Logger;
  /** Default: JSON lines on stdout, whatever the log level. */
  audit?: AuditLog;
  /** How webhook attempts are sent; default HTTP(S) under the config's URL policy. */
  webhookTransport?: WebhookTransport;
}

export interface Memory {
  readonly config: Config;
  /** The memory: store, context, user data, projection, health. */
  readonly manager: HierarchicalMemoryManager;
  /** API keys; without Postgres, a store that refuses every key. */
  readonly keys: KeyStore;
  /** Per-key request limit; absent when Redis is off or the limit is 0. */
  readonly rateLimiter?: RateLimiter;
  /** Traffic for the operator console; absent without Redis. */
  readonly traffic?: TrafficLog;
  readonly logger: Logger;
  /** Erasures and exports: who, whom, when; never silenced by the log level. */
  readonly audit: AuditLog;
  /** The legacy migration (runs, progress, rollback); absent without Postgres. */
  readonly migration?: HierarchicalMigrationManager;
  /** Tenants' webhook endpoints and deliveries; absent without Postgres. */
  readonly webhooks?: WebhookService;
  /** Tenants' bulk imports (POST /v1/imports); absent without Postgres. */
  readonly imports?: ImportManager;
  /** Where the services report what happened (webhooks); the bulk import reports here too. */
  readonly events: MemoryEvents;
  /** A migration from another legacy source, or with other settings (tests, one-off imports). */
  migrationFrom(source: LegacySource, settings?: Partial<Config["migration"]>): HierarchicalMigrationManager;
  close(): Promise<void>;
}

export function createMemory(config: Config, deps: MemoryDeps = {}): Memory {
  const stores = deps.stores ?? createStores(config);
  const logger =
    deps.logger ??
    new PowertoolsLogger({
      serviceName: "hierarchical-memory",
      logLevel: config.logLevel.toUpperCase() as Uppercase<Config["logLevel"]>,
    });
  const processing =
    deps.processing ??
    createProcessing(config.embedding, config.factExtraction, (error) =>
      logger.warn("fact extractor failed; the rules' facts stand alone", { error }),
    );
  const tracker = new TierHealthTracker(
    {
      redis: config.redis.enabled,
      postgres: config.postgres.enabled,
      chroma: config.chroma.enabled,
      neo4j: config.neo4j.enabled,
    },
    logger,
  );
  const projection = new ProjectionService(
    { stores, processing, health: tracker, logger, summaryWindow: config.memory.summaryWindow },
    // A quarter of the pool: the rest stays free for stores and context reads.
    { lockedConnections: Math.floor(config.postgres.maxConnections / 4) },
  );
  const health = new HealthService({
    // The Chroma tier is ready once its embedder is (a local model loads once, at start-up).
    setup: stores.setup.map((s) =>
      s.tier === "chroma"
        ? { ...s, run: async () => void (await Promise.all([s.run(), processing.embedder.prepare?.()])) }
        : s,
    ),
    probes: stores.probes,
    outbox: stores.outbox,
    erasures: stores.erasures,
    tracker,
    logger,
  });
  const { webhooks, events } = createWebhooks(config, stores, logger, health, deps.webhookTransport);
  const erasure = new ErasureService({
    stores,
    logger,
    finalPassAfterMs: config.memory.eraseFinalPassDelayMs,
    rebuild: (userId, tiers) => projection.rebuildUser(userId, tiers),
    forget: (task) => projection.forget(task),
  });
  const users = new UserDataService({
    stores,
    logger,
    erasure,
    projections: () => projection.tiers,
    runs: stores.runs,
    events,
  });
  const storing = new StoreService({
    stores,
    projection,
    health: tracker,
    logger,
    processingBudgetMs: config.memory.storeProcessingBudgetMs,
    timeoutMs: config.memory.storeTimeoutMs,
  });
  const manager = new HierarchicalMemoryManager({
    storing,
    memories: new MemoriesService({
      stores,
      storing,
      erasure,
      logger,
      projections: () => projection.tiers,
      summaryWindow: config.memory.summaryWindow,
      events,
    }),
    context: new IntelligentContextAssembler({ stores, processing, health: tracker, config }),
    users,
    projection,
    erasure,
    health,
    webhooks,
  });
  const traffic =
    stores.traffic &&
    new BufferedTrafficLog(stores.traffic, {
      onError: (error) => logger.debug("traffic not recorded", { cause: describeError(error) }),
    });
  const migrationFrom = (source: LegacySource, settings: Partial<Config["migration"]> = {}) => {
    if (!stores.runs || !stores.erasures)
      throw new ConfigError([
        "HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: a migration needs Postgres, which is disabled",
      ]);
    return new HierarchicalMigrationManager({
      runs: stores.runs,
      erasures: stores.erasures,
      source,
      stores,
      projection,
      extractor: processing.extractor,
      modelProposesClaims: processing.proposer !== undefined,
      summaryWindow: config.memory.summaryWindow,
      config: { ...config.migration, ...settings },
      logger,
      events,
    });
  };
  return {
    config,
    manager,
    keys: stores.keys ?? refusingKeyStore,
    rateLimiter: stores.rateLimiter,
    traffic,
    logger,
    audit: deps.audit ?? stdoutAudit,
    migration: stores.runs ? migrationFrom(stores.legacy ?? noLegacySource) : undefined,
    migrationFrom,
    webhooks,
    imports:
      stores.imports && stores.runs
        ? new ImportManager({
            imports: stores.imports,
            runs: stores.runs,
            erasures: stores.erasures,
            projection,
            config: config.imports,
            logger,
            events,
          })
        : undefined,
    events,
    close: async () => {
      await traffic?.flush();
      await stores.close();
    },
  };
}

/** The webhook service and the events it sends, over Postgres's webhook stores; none without them. */
function createWebhooks(
  config: Config,
  stores: Stores,
  logger: Logger,
  health: HealthService,
  transport?: WebhookTransport,
): { webhooks?: WebhookService; events: MemoryEvents } {
  if (!stores.webhooks) return { events: noEvents };
  const { endpoints, deliveries } = stores.webhooks;
  const settings = config.webhooks;
  const policy = { allowLoopback: settings.allowLoopback };
  const emitter = new WebhookEmitter({ endpoints, deliveries, archive: stores.archive, logger });
  const dispatcher = new WebhookDispatcher({
    endpoints,
    deliveries,
    transport: transport ?? httpTransport(policy),
    settings: {
      timeoutMs: settings.timeoutMs,
      maxAttempts: settings.maxAttempts,
      retryBaseMs: settings.retryBaseMs,
      retryCapMs: settings.retryCapMs,
      disable: { afterFailures: settings.disableAfterFailures, afterMs: settings.disableAfterMs },
      retentionMs: settings.retentionMs,
    },
    logger,
  });
  const webhooks = new WebhookService({
    stores: stores.webhooks,
    emitter,
    dispatcher,
    policy,
    checkTiers: () => health.pings(),
    logger,
  });
  return { webhooks, events: emitter };
}
