/**
 * Migration throughput end to end: a legacy store of N fixture records is written into the emulated
 * Chroma, then migrated into all four tiers (fresh database hm_bench_migration, tenant "bench") and
 * validated. Reports records/s, the time each phase took and the integrity score.
 *
 *   npm run bench:migration -- [--records 100000] [--batch-size 500] [--concurrency 4] [--out bench/results/migration-latest.json]
 */
import { parseArgs } from "node:util";
import { legacyRecords, writeLegacyStore } from "../infra/local/legacy-fixture.js";
import { HierarchicalMigrationManager } from "../shared/migration/migration-manager.js";
import { machine, publish, runMain } from "./report.js";
import { freshBenchMemory } from "./setup.js";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "100000" },
    "batch-size": { type: "string", default: "500" },
    concurrency: { type: "string", default: "4" },
    seed: { type: "string", default: "1" },
    validate: { type: "string", default: "500" },
    out: { type: "string" },
  },
});

const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

async function main() {
  const records = Number(values.records);
  const { config, chroma, memory } = await freshBenchMemory({
    database: "hm_bench_migration",
    collection: "bench_migration",
    dropCollections: ["user_memories", "global_facts"],
    redisDb: 1,
    tenant: "bench",
    env: { HIERARCHICAL_MEMORY_MIGRATION_TENANT: "bench" },
  });

  let started = performance.now();
  await writeLegacyStore(chroma, legacyRecords(records, Number(values.seed)), { batchSize: 1000 });
  const fixtureSeconds = seconds(started);
  console.error(`legacy store of ${records} records written in ${fixtureSeconds} s`);

  const migration = HierarchicalMigrationManager.fromConfig(config, memory);
  let peakRssMiB = 0;
  let lastBatchAt = 0;
  migration.on("progress", (p) => {
    lastBatchAt = performance.now();
    peakRssMiB = Math.max(peakRssMiB, Math.round(process.memoryUsage().rss / 2 ** 20));
    if (p.batchesDone % 20 === 0 || p.batchesDone === p.batchesTotal)
      console.error(`${p.recordsDone}/${p.recordsTotal} records, ${p.recordsPerSecond}/s`);
  });
  started = performance.now();
  const report = await migration.migrateAllConversations({
    batchSize: Number(values["batch-size"]),
    concurrency: Number(values.concurrency),
  });
  const migrateSeconds = seconds(started);
  // Batches (read, plan, commit) first; then the projections, user by user.
  const batchSeconds = Math.round((lastBatchAt - started) / 100) / 10;
  started = performance.now();
  const integrity = await migration.validateMigrationIntegrity(report.runId ?? "", {
    sampleSize: Number(values.validate),
  });
  const validateSeconds = seconds(started);

  const result = {
    benchmark: "legacy-migration",
    date: new Date().toISOString(),
    machine: machine(),
    records,
    batchSize: Number(values["batch-size"]),
    concurrency: Number(values.concurrency),
    state: report.state,
    migrated: report.records.migrated,
    skipped: report.records.skipped,
    byKind: report.records.byKind,
    recordsPerSecond: Math.round(records / migrateSeconds),
    seconds: {
      writeLegacyFixture: fixtureSeconds,
      migrate: migrateSeconds,
      ofWhichBatches: batchSeconds,
      ofWhichProjections: Math.round((migrateSeconds - batchSeconds) * 10) / 10,
      validate: validateSeconds,
    },
    pendingProjections: report.pendingProjections,
    integrity: { score: integrity.score, checks: integrity.checks.total, sampled: integrity.sampled },
    peakRssMiB,
    /** Median time of one bulk operation per tier during the run: where the time goes. */
    tierP50Ms: Object.fromEntries((await memory.getTierHealthStatus()).tiers.map((t) => [t.tier, t.p50Ms])),
  };
  publish("Legacy migration benchmark", result, values.out);
  await memory.close();
}

runMain(main);
