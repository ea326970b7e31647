/**
 * The real stores a contract suite runs against, on the local emulation, each private to its test
 * file so files run in parallel: a Postgres database of its own (the outbox and run lists are
 * global, and other files' workers claim outbox rows), Redis keys under a prefix of its own, Chroma
 * collections and databases of its own. Each registers its own cleanup with afterAll.
 */
import type { Pool } from "@neondatabase/serverless";
import { AdminClient } from "chromadb";
import { afterAll } from "vitest";
import { dropDatabase, ensureDatabase } from "../../../infra/local/services/postgres.js";
import type { Config } from "../../../shared/config/index.js";
import { createChromaClient } from "../../../shared/tiers/chroma/client.js";
import { createPostgresPool } from "../../../shared/tiers/postgres/client.js";
import { applyMigrations } from "../../../shared/tiers/postgres/migrations.js";
import { createRedisClient } from "../../../shared/tiers/redis/client.js";
import { testConfig } from "../../helpers/config.js";

const suffix = () => crypto.randomUUID().replaceAll("-", "").slice(0, 12);

/**
 * A fresh database with the schema applied; `reset()` empties every table, so each test starts
 * from an empty store as the in-memory one does.
 */
export async function privatePostgres(): Promise<{ pool: Pool; reset(): Promise<void> }> {
  const config = testConfig();
  const wsProxy = config.postgres.wsProxy ?? "";
  const database = `hm_contract_${suffix()}`;
  const url = await ensureDatabase(wsProxy, database);
  const pool = createPostgresPool({ ...config.postgres, url, maxConnections: 4 });
  afterAll(async () => {
    await pool.end();
    await dropDatabase(wsProxy, database);
  });
  await applyMigrations(pool);
  return {
    pool,
    reset: async () => {
      // Users cascade to exchanges, summaries and outbox rows, runs to their batches, webhook
      // endpoints to their deliveries. (DELETE, not TRUNCATE: on tables this small it is some 40
      // times faster.)
      await pool.query(
        "DELETE FROM users; DELETE FROM migration_runs; DELETE FROM api_keys; DELETE FROM erase_tasks; DELETE FROM erased_users; DELETE FROM webhook_endpoints; DELETE FROM tier_incidents",
      );
    },
  };
}

/** The Redis client and a key prefix of this file's own, whose keys are deleted after the file. */
export function privateRedis() {
  const config = testConfig();
  const redis = createRedisClient(config.redis);
  const prefix = `${config.redis.keyPrefix}contract:${suffix()}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  return { redis, prefix };
}

/** Chroma's config, with a collection name of this file's own. */
export function chromaConfig(): Config["chroma"] {
  return { ...testConfig().chroma, collection: `contract_${suffix()}` };
}

/** A Chroma database of its own per call (the legacy collections have fixed names), deleted after the file. */
export function privateChromaDatabases() {
  const config = testConfig().chroma;
  const url = new URL(config.url);
  const admin = new AdminClient({ host: url.hostname, port: Number(url.port), ssl: false });
  const made: string[] = [];
  afterAll(async () => {
    // One at a time: Chroma's SQLite catalog refuses concurrent deletes ("database is locked").
    for (const name of made) await admin.deleteDatabase({ name, tenant: config.tenant });
  });
  return async () => {
    const database = `contract_${suffix()}`;
    await admin.createDatabase({ name: database, tenant: config.tenant });
    made.push(database);
    return createChromaClient({ ...config, database });
  };
}
