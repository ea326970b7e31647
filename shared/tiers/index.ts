/**
 * Creates each enabled tier's production client once (no connection is opened until first use,
 * which keeps Lambda cold starts cheap) and the probes the connectivity check runs.
 */

import type { Pool } from "@neondatabase/serverless";
import type { Redis } from "@upstash/redis";
import type { ChromaClient } from "chromadb";
import type { Driver } from "neo4j-driver";
import type { Config } from "../config/index.js";
import { chromaProbe, createChromaClient } from "./chroma/client.js";
import { testTierConnectivity } from "./connectivity.js";
import { createNeo4jDriver, neo4jProbe } from "./neo4j/client.js";
import { createPostgresPool, postgresProbe } from "./postgres/client.js";
import { createRedisClient, redisProbe } from "./redis/client.js";
import type { TierConnectivity, TierProbe } from "./types.js";

export interface TierClients {
  readonly postgres?: Pool;
  readonly redis?: Redis;
  readonly chroma?: ChromaClient;
  readonly neo4j?: Driver;
  readonly probes: readonly TierProbe[];
  testConnectivity(timeoutMs?: number): Promise<TierConnectivity[]>;
  close(): Promise<void>;
}

export function createTierClients(config: Config): TierClients {
  const postgres = config.postgres.enabled ? createPostgresPool(config.postgres) : undefined;
  const redis = config.redis.enabled ? createRedisClient(config.redis) : undefined;
  const chroma = config.chroma.enabled ? createChromaClient(config.chroma) : undefined;
  const neo4j = config.neo4j.enabled ? createNeo4jDriver(config.neo4j) : undefined;
  const probes: TierProbe[] = [];
  if (redis) probes.push(redisProbe(redis, config.redis.keyPrefix));
  if (postgres) probes.push(postgresProbe(postgres));
  if (chroma) probes.push(chromaProbe(chroma, config.chroma.url));
  if (neo4j) probes.push(neo4jProbe(neo4j, config.neo4j.database));
  return {
    postgres,
    redis,
    chroma,
    neo4j,
    probes,
    testConnectivity: (timeoutMs) => testTierConnectivity(probes, timeoutMs),
    close: async () => {
      await Promise.allSettled([postgres?.end(), neo4j?.close()]);
    },
  };
}

export type { TierConnectivity, TierProbe } from "./types.js";
