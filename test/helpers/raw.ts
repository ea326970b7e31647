/**
 * Direct access to the emulated services, for assertions the ports do not offer (raw SQL counts,
 * every Chroma shard, every Neo4j node of a tenant). Created on first use, closed after the file.
 */
import { afterAll } from "vitest";
import type { Config } from "../../shared/config/index.js";
import { createChromaClient } from "../../shared/tiers/chroma/client.js";
import { ChromaSummaryIndex } from "../../shared/tiers/chroma/summary-index.js";
import { createNeo4jDriver } from "../../shared/tiers/neo4j/client.js";
import { createPostgresPool } from "../../shared/tiers/postgres/client.js";
import { createRedisClient } from "../../shared/tiers/redis/client.js";

export type RawClients = ReturnType<typeof openRaw>;

function openRaw(config: Config) {
  const pg = createPostgresPool({ ...config.postgres, maxConnections: 2 });
  const neo4j = createNeo4jDriver(config.neo4j);
  return {
    pg,
    /** Rows of a query (parameterized). */
    sql: async <R extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
      (await pg.query<R>(text, values)).rows,
    redis: createRedisClient(config.redis),
    chroma: createChromaClient(config.chroma),
    /** The summary index's concrete class, for every shard's collection. */
    summaries: new ChromaSummaryIndex(
      createChromaClient(config.chroma),
      config.chroma.collection,
      config.chroma.shards,
    ),
    neo4j,
    close: async () => {
      await Promise.allSettled([pg.end(), neo4j.close()]);
    },
  };
}

/** The raw clients for this config, opened once per test file. */
export function rawClients(config: Config): RawClients {
  const raw = openRaw(config);
  afterAll(() => raw.close());
  return raw;
}
