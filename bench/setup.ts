/**
 * A benchmark's own, empty corner of the local emulation: a fresh database, a Chroma server of its own
 * on an empty folder, its own Redis database, and none of its tenant's nodes left in Neo4j from an
 * earlier run.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureLocalUp } from "../infra/local/control.js";
import { startChroma } from "../infra/local/services/chroma.js";
import { dropDatabase, ensureDatabase } from "../infra/local/services/postgres.js";
import { loadConfig } from "../shared/config/index.js";
import { createProcessing } from "../shared/processing/index.js";
import { createMemory } from "../shared/runtime/create-memory.js";
import { createChromaClient } from "../shared/tiers/chroma/client.js";
import { ChromaSummaryIndex } from "../shared/tiers/chroma/summary-index.js";
import { createNeo4jDriver } from "../shared/tiers/neo4j/client.js";
import { createPostgresPool } from "../shared/tiers/postgres/client.js";
import { createRedisClient } from "../shared/tiers/redis/client.js";
import { silentLogger } from "../shared/util/logger.js";

export interface BenchCorner {
  /** Postgres database, dropped and created again. */
  database: string;
  /** The summary collections' name; `dropCollections` names others the benchmark writes. */
  collection: string;
  dropCollections?: string[];
  redisDb: number;
  /** The tenant whose user ids the benchmark writes (Neo4j keeps one database for all). */
  tenant: string;
  env?: Record<string, string>;
  /**
   * Use the emulation's shared Chroma instead of a server of its own (default: own). The shared one
   * carries every earlier run's and test's collections: its writes cost 33-37 ms of CPU each after an
   * afternoon of them against 15 ms on a fresh folder, which made one run's leftovers the next one's result.
   */
  sharedChroma?: boolean;
}

/**
 * A Chroma server on an empty folder, for this process only: stopped, and its folder removed, when
 * the process exits (the server also stops by itself once its parent is gone).
 */
async function ownChroma(name: string): Promise<string> {
  const dir = join(tmpdir(), `hm-bench-chroma-${name}`);
  rmSync(dir, { recursive: true, force: true });
  const chroma = await startChroma(dir);
  chroma.child.unref();
  process.once("exit", () => {
    chroma.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  return chroma.url;
}

export async function freshBenchMemory(corner: BenchCorner) {
  const local = await ensureLocalUp();
  const wsProxy = local.env.HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY ?? "";
  await dropDatabase(wsProxy, corner.database);
  const env: Record<string, string | undefined> = {
    ...local.env,
    ...process.env,
    ...corner.env,
    HIERARCHICAL_MEMORY_POSTGRESQL_URL: await ensureDatabase(wsProxy, corner.database),
    ...(corner.sharedChroma ? {} : { HIERARCHICAL_MEMORY_CHROMADB_URL: await ownChroma(corner.collection) }),
    HIERARCHICAL_MEMORY_CHROMADB_COLLECTION: corner.collection,
    HIERARCHICAL_MEMORY_REDIS_DB: String(corner.redisDb),
  };
  const config = loadConfig(env);
  const chroma = createChromaClient(config.chroma);
  for (const name of corner.dropCollections ?? [])
    await chroma.deleteCollection({ name }).catch(() => undefined);
  await new ChromaSummaryIndex(chroma, config.chroma.collection, config.chroma.shards).dropAll();
  await createRedisClient(config.redis).flushdb();
  const processing = createProcessing(config.embedding);
  const memory = createMemory(config, { processing, logger: silentLogger });
  await memory.manager.initializeTiers();
  // Label by label through the userId indexes, 10,000 nodes a query: one sweep over every node of
  // a million-exchange run ran the local Neo4j out of heap, and one query over all of them out of
  // its 30 s transaction timeout.
  const neo4j = createNeo4jDriver(config.neo4j);
  const session = neo4j.session({ database: config.neo4j.database });
  for (const [label, key] of [
    ["Fact", "userId"],
    ["Entity", "userId"],
    ["MemUser", "id"],
  ]) {
    for (let deleted = -1; deleted !== 0; ) {
      const result = await session.run(
        `MATCH (n:${label}) WHERE n.${key} STARTS WITH $prefix WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n`,
        { prefix: `${corner.tenant}/` },
      );
      deleted = Number(result.records[0]?.get("n") ?? 0);
    }
  }
  await session.close();
  await neo4j.close();
  // The benchmark's own connection, for counting rows.
  const pool = createPostgresPool(config.postgres);
  return { env, config, chroma, memory, processing, pool };
}
