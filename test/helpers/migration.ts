/** A legacy Chroma of its own per test file, and counts of everything a tenant has in each tier. */
import { afterAll } from "vitest";
import { writeLegacyStore } from "../../infra/local/legacy-fixture.js";
import type { Config } from "../../shared/config/index.js";
import { createChromaClient } from "../../shared/tiers/chroma/client.js";
import { LegacyChromaSource } from "../../shared/tiers/chroma/legacy-source.js";
import type { LegacyRecord, LegacySource } from "../../shared/tiers/legacy-source.js";
import { testConfig } from "./config.js";
import type { TestMemory } from "./memory.js";
import { privateChroma } from "./services.js";

export async function legacyStore() {
  const service = await privateChroma();
  afterAll(() => service.close());
  const chroma = createChromaClient(testConfig(service.env).chroma);
  return {
    url: service.env.HIERARCHICAL_MEMORY_CHROMADB_URL ?? "",
    chroma,
    source: new LegacyChromaSource(chroma),
    /** Replaces the legacy collections' content with these records. */
    async fill(records: Iterable<LegacyRecord>) {
      for (const name of ["user_memories", "global_facts"])
        await chroma.deleteCollection({ name }).catch(() => undefined);
      return writeLegacyStore(chroma, records, { batchSize: 200 });
    },
  };
}

/** A migration of this memory from `source`, with some of its settings changed. */
export function migrator(t: TestMemory, source: LegacySource, overrides: Partial<Config["migration"]> = {}) {
  return t.memory.migrationFrom(source, overrides);
}

/** Everything under `<tenant>/` in each tier, plus the migration bookkeeping. */
export async function tenantCounts(t: TestMemory, tenant: string) {
  const raw = t.raw();
  const like = `${tenant}/%`;
  const pg = async (sql: string) => Number((await raw.sql<{ n: string }>(sql, [like]))[0]?.n);
  const keys = await raw.redis.keys(`${t.config.redis.keyPrefix}*${tenant}/*`);
  const shards = await raw.summaries.all();
  const chroma = (await Promise.all(shards.map((c) => c.get({ include: ["metadatas"] })))).flatMap(
    (r) => r.metadatas,
  );
  const neo = await raw.neo4j.executeQuery(
    "MATCH (n) WHERE n.userId STARTS WITH $p OR n.id STARTS WITH $p RETURN count(n) AS n",
    { p: `${tenant}/` },
  );
  return {
    users: await pg("SELECT count(*) AS n FROM users WHERE id LIKE $1"),
    exchanges: await pg("SELECT count(*) AS n FROM exchanges WHERE user_id LIKE $1"),
    summaries: await pg("SELECT count(*) AS n FROM summaries WHERE user_id LIKE $1"),
    outbox: await pg("SELECT count(*) AS n FROM outbox WHERE user_id LIKE $1"),
    runs: await pg(
      "SELECT count(*) AS n FROM migration_runs WHERE options->>'tenant' = split_part($1, '/', 1)",
    ),
    redisKeys: keys.length,
    chromaDocs: chroma.filter((m) => String(m?.user_id).startsWith(`${tenant}/`)).length,
    neo4jNodes: Number(neo.records[0]?.get("n") ?? 0),
  };
}
