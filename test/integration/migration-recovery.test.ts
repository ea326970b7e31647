/** A migration killed with SIGKILL resumes to exactly the right rows; a bad run is rolled back exactly. */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, inject, it } from "vitest";
import { legacyRecords } from "../../infra/local/legacy-fixture.js";
import {
  createTestMemory,
  expectProjectionMatchesArchive,
  type TestMemory,
  uniqueId,
} from "../helpers/memory.js";
import { legacyStore, migrator, tenantCounts } from "../helpers/migration.js";

const legacy = await legacyStore();

async function usersOf(memory: TestMemory, tenant: string): Promise<string[]> {
  const result = await memory
    .raw()
    .pg.query<{ id: string }>("SELECT id FROM users WHERE id LIKE $1 ORDER BY id", [`${tenant}/%`]);
  return result?.rows.map((r) => r.id) ?? [];
}

async function exchangeIds(memory: TestMemory, tenant: string): Promise<string[]> {
  const result = await memory
    .raw()
    .pg.query<{ id: string }>("SELECT id FROM exchanges WHERE user_id LIKE $1 ORDER BY id", [`${tenant}/%`]);
  return result?.rows.map((r) => r.id) ?? [];
}

async function expectProjectionsMatch(memory: TestMemory, tenant: string) {
  for (const user of await usersOf(memory, tenant))
    for (const tier of memory.manager.projections) await expectProjectionMatchesArchive(memory, tier, user);
}

/** Runs `npm run migrate` as its own process and SIGKILLs it once `afterBatches` batches are done. */
function migrateAndKill(env: Record<string, string>, afterBatches: number): Promise<string> {
  const child = spawn(
    "node_modules/.bin/tsx",
    ["infra/cli/migrate.ts", "--batch-size", "10", "--concurrency", "2"],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    let runId = "";
    createInterface({ input: child.stdout }).on("line", (line) => {
      const event = JSON.parse(line) as { event?: string; runId?: string; batchesDone?: number };
      if (event.event !== "progress") return;
      runId = event.runId ?? runId;
      if ((event.batchesDone ?? 0) >= afterBatches) child.kill("SIGKILL");
    });
    child.on("exit", (code, signal) =>
      signal === "SIGKILL"
        ? resolve(runId)
        : reject(new Error(`migrate exited with ${code} before the kill`)),
    );
  });
}

describe("migration recovery", () => {
  it("resumes a run killed with SIGKILL mid-way to exactly the rows a clean run writes, in every tier", async () => {
    const tenant = uniqueId("crash");
    const memory = await createTestMemory({ HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant });
    await legacy.fill(legacyRecords(400, 17));
    const expected = await migrator(memory, legacy.source).migrateAllConversations({ dryRun: true });

    const runId = await migrateAndKill(
      {
        ...inject("localEnv"),
        HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant,
        HIERARCHICAL_MEMORY_CHROMADB_COLLECTION: memory.config.chroma.collection,
        HIERARCHICAL_MEMORY_CHROMADB_SHARDS: String(memory.config.chroma.shards),
        HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL: legacy.url,
      },
      5,
    );
    const run = (await migrator(memory, legacy.source).listRuns()).find((r) => r.id === runId);
    expect(run?.state).toBe("running");
    const partial = (await exchangeIds(memory, tenant)).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(expected.records.migrated);

    const resumed = await migrator(memory, legacy.source).resume(runId);
    expect(resumed.state).toBe("completed");
    expect(resumed.batches.resumed).toBeGreaterThanOrEqual(5);
    expect(resumed.records).toEqual(expected.records);
    expect((await exchangeIds(memory, tenant)).length).toBe(expected.records.migrated);
    expect((await tenantCounts(memory, tenant)).outbox).toBe(0);
    await expectProjectionsMatch(memory, tenant);
  });

  it("rolls back a run that fails validation: exactly its rows go, from every tier, and nothing else", async () => {
    const tenant = uniqueId("rollback");
    const memory = await createTestMemory({ HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant });
    // Data that must survive: a live exchange, and an earlier validated run.
    await memory.manager.storeConversation({
      userId: `${tenant}/user_1`,
      userMessage: "live one",
      botResponse: "ok",
    });
    await legacy.fill(legacyRecords(150, 23));
    const earlier = await migrator(memory, legacy.source).migrateAllConversations({ batchSize: 40 });
    await migrator(memory, legacy.source).validateMigrationIntegrity(earlier.runId ?? "", { sampleSize: 30 });
    const before = await exchangeIds(memory, tenant);
    const usersBefore = await usersOf(memory, tenant);

    // A second run over new records (ids of their own), then damaged behind its back.
    await legacy.fill([...legacyRecords(150, 29)].map((r) => ({ ...r, id: `${r.id}_b` })));
    const bad = await migrator(memory, legacy.source).migrateAllConversations({ batchSize: 40 });
    expect(bad.records.migrated).toBeGreaterThan(50);
    await memory
      .raw()
      .pg.query("DELETE FROM exchanges WHERE migration_run = $1 AND ordinal % 3 = 0", [bad.runId]);

    const integrity = await migrator(memory, legacy.source).validateMigrationIntegrity(bad.runId ?? "", {
      sampleSize: 80,
    });
    expect(integrity.score).toBeLessThan(0.95);
    expect(integrity).toMatchObject({ passed: false, rolledBack: true });
    expect(integrity.checks.byName["archive-row"]?.failed).toBeGreaterThan(0);
    const runs = await migrator(memory, legacy.source).listRuns();
    expect(runs.find((r) => r.id === bad.runId)?.state).toBe("rolled_back");

    expect(await exchangeIds(memory, tenant)).toEqual(before);
    expect(await usersOf(memory, tenant)).toEqual(usersBefore);
    await expectProjectionsMatch(memory, tenant);
    const gone = (await tenantCounts(memory, tenant)).redisKeys;
    expect(gone).toBe(usersBefore.length);
  });
});
