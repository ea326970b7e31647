/**
 * Builds each enabled tier's production client once (no connection opens until first use, which
 * keeps Lambda cold starts cheap) and the stores over them. The only module that knows which
 * technology plays which role.
 */
import type { Config } from "../config/index.js";
import { chromaProbe, createChromaClient } from "./chroma/client.js";
import { LegacyChromaSource } from "./chroma/legacy-source.js";
import { ChromaSummaryIndex } from "./chroma/summary-index.js";
import { createNeo4jDriver, neo4jProbe } from "./neo4j/client.js";
import { Neo4jKnowledgeGraph } from "./neo4j/knowledge-graph.js";
import { PostgresArchive } from "./postgres/archive.js";
import { createPostgresPool, postgresProbe } from "./postgres/client.js";
import { PostgresErasures } from "./postgres/erasures.js";
import { PostgresImports } from "./postgres/imports.js";
import { PostgresKeyStore } from "./postgres/key-store.js";
import { PostgresMigrationRuns } from "./postgres/migration-runs.js";
import { applyMigrations } from "./postgres/migrations.js";
import { PostgresOutbox } from "./postgres/outbox.js";
import { PostgresTierIncidents } from "./postgres/tier-incidents.js";
import { PostgresWebhookDeliveries } from "./postgres/webhook-deliveries.js";
import { PostgresWebhookEndpoints } from "./postgres/webhook-endpoints.js";
import type { TierProbe, TierSetup } from "./probe.js";
import { createRedisClient, redisProbe } from "./redis/client.js";
import { RedisRateLimiter } from "./redis/rate-limiter.js";
import { RedisRecentCache } from "./redis/recent-cache.js";
import { RedisTrafficLog } from "./redis/traffic-log.js";
import type { Stores } from "./stores.js";

export function createStores(config: Config): Stores {
  const postgres = config.postgres.enabled ? createPostgresPool(config.postgres) : undefined;
  // Context reads on their own small pool, cancelled by Postgres past the read timeout.
  const reads = postgres
    ? createPostgresPool(
        { ...config.postgres, maxConnections: Math.max(2, Math.ceil(config.postgres.maxConnections / 2)) },
        { statementTimeoutMs: config.postgres.readTimeoutMs },
      )
    : undefined;
  const redis = config.redis.enabled ? createRedisClient(config.redis) : undefined;
  const chroma = config.chroma.enabled ? createChromaClient(config.chroma) : undefined;
  const neo4j = config.neo4j.enabled ? createNeo4jDriver(config.neo4j) : undefined;
  const prefix = config.redis.keyPrefix;
  const { collection, shards, baseCollection } = config.chroma;
  const summaries = chroma && new ChromaSummaryIndex(chroma, collection, shards, baseCollection);
  const graph = neo4j && new Neo4jKnowledgeGraph(neo4j, config.neo4j.database);
  const setup: TierSetup[] = [];
  if (postgres) setup.push({ tier: "postgres", run: () => applyMigrations(postgres) });
  if (summaries) setup.push({ tier: "chroma", run: () => summaries.prepare() });
  if (graph) setup.push({ tier: "neo4j", run: () => graph.prepare() });
  const probes: TierProbe[] = [];
  if (redis) probes.push(redisProbe(redis, prefix));
  if (postgres) probes.push(postgresProbe(postgres));
  if (chroma) probes.push(chromaProbe(chroma, config.chroma.url));
  if (neo4j) probes.push(neo4jProbe(neo4j, config.neo4j.database));
  const { legacyUrl, legacyApiKey } = config.migration;
  return {
    archive: postgres && new PostgresArchive(postgres, { reads }),
    outbox: postgres && new PostgresOutbox(postgres),
    erasures: postgres && new PostgresErasures(postgres),
    keys: postgres && new PostgresKeyStore(postgres),
    runs: postgres && new PostgresMigrationRuns(postgres),
    imports: postgres && new PostgresImports(postgres),
    webhooks: postgres && {
      endpoints: new PostgresWebhookEndpoints(postgres),
      deliveries: new PostgresWebhookDeliveries(postgres),
      incidents: new PostgresTierIncidents(postgres),
    },
    legacy:
      postgres && legacyUrl
        ? new LegacyChromaSource(
            createChromaClient({ ...config.chroma, url: legacyUrl, apiKey: legacyApiKey }),
          )
        : undefined,
    cache:
      redis &&
      new RedisRecentCache(redis, {
        keyPrefix: prefix,
        size: config.memory.recentCacheSize,
        ttlSeconds: config.cacheTtlSeconds,
      }),
    traffic: redis && new RedisTrafficLog(redis, prefix),
    rateLimiter:
      redis && config.http.rateLimitPerMinute > 0
        ? new RedisRateLimiter(redis, { perMinute: config.http.rateLimitPerMinute, prefix })
        : undefined,
    summaries,
    graph,
    setup,
    probes,
    close: async () => {
      await Promise.allSettled([postgres?.end(), reads?.end(), neo4j?.close()]);
    },
  };
}

export type { MemoryStores, Stores, WebhookStores } from "./stores.js";
