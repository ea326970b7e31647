/** Asks each emulated service for its version, through the same clients production uses. */
import { Redis as IORedis } from "ioredis";
import { loadConfig } from "../../shared/config/index.js";
import { createChromaClient } from "../../shared/tiers/chroma/client.js";
import { createNeo4jDriver } from "../../shared/tiers/neo4j/client.js";
import { createPostgresPool } from "../../shared/tiers/postgres/client.js";

export async function readVersions(env: Record<string, string>): Promise<Record<string, string>> {
  const config = loadConfig(env);
  const redis = new IORedis(env.HM_LOCAL_REDIS_URL ?? "redis://127.0.0.1:6379");
  const pool = createPostgresPool(config.postgres);
  const driver = createNeo4jDriver(config.neo4j);
  try {
    const info = await redis.info("server");
    const pg = await pool.query<{ v: string }>("SELECT current_setting($1) AS v", ["server_version"]);
    const neo = await driver.getServerInfo();
    return {
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown",
      postgres: pg.rows[0]?.v ?? "unknown",
      chroma: await createChromaClient(config.chroma).version(),
      neo4j: neo.agent ?? "unknown",
    };
  } finally {
    redis.disconnect();
    await pool.end();
    await driver.close();
  }
}
