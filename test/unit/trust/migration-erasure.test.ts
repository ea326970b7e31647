/**
 * Migration respects erasure (issue 17): the legacy store still holds an erased user, but no re-run,
 * resume or dry run brings them back, the runs forget their ids, and a rollback never deletes a live
 * store that arrived meanwhile.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../shared/errors/memory-error.js";
import type { LegacyRecord } from "../../../shared/tiers/legacy-source.js";
import { inMemoryMemory } from "../../helpers/in-memory-memory.js";

const tenant = "legacy-bot";
const conversation = (id: string, user: string, text: string): LegacyRecord => ({
  collection: "user_memories",
  id,
  document: `User: ${text}\nBot: Noted.`,
  metadata: { user_id: user, type: "conversation", timestamp: "2024-05-01T10:00:00Z" },
});
const legacy = [
  conversation("a1", "alice", "I live in Porto."),
  conversation("a2", "alice", "My dog is Rex."),
  conversation("b1", "bob", "I play chess."),
];

function memoryWithLegacy(
  overrides: Record<string, string> = { HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant },
) {
  const t = inMemoryMemory(overrides, { legacy });
  const migration = t.memory.migration;
  if (!migration) throw new Error("the in-memory stores have no migration");
  return { ...t, migration };
}

const exchangesOf = async (t: ReturnType<typeof memoryWithLegacy>, user: string) =>
  (await t.stores.archive?.allExchanges(`${tenant}/${user}`))?.length ?? 0;

describe("a migration after an erase", () => {
  it("never re-imports the erased user, in a re-run, a dry run or a resume, and counts them without ids", async () => {
    const t = memoryWithLegacy();
    const first = await t.migration.migrateSpecificUsers(["alice", "bob"]);
    expect(first.records.migrated).toBe(3);
    const resumable = await t.migration.planRun({ users: ["alice", "bob"] });
    expect(await t.manager.deleteUser(`${tenant}/alice`)).toMatchObject({ exchanges: 2 });

    const again = await t.migration.migrateSpecificUsers(["alice", "bob"]);
    expect(again.records).toMatchObject({ migrated: 0, existing: 1, erased: 2 });
    const dry = await t.migration.migrateAllConversations({ dryRun: true });
    expect(dry.records).toMatchObject({ migrated: 0, existing: 1, erased: 2 });
    await t.migration.migrateBatchRange(resumable.runId, 0, resumable.batches);
    expect(await exchangesOf(t, "alice")).toBe(0);
    expect(await exchangesOf(t, "bob")).toBe(1);
    expect(JSON.stringify(again.records)).not.toContain("alice");
  });

  it("leaves the erased user out of every run's options, and integrity does not count them missing", async () => {
    const t = memoryWithLegacy();
    const run = await t.migration.migrateSpecificUsers(["alice", "bob"]);
    await t.manager.deleteUser(`${tenant}/alice`);
    const runs = await t.migration.listRuns();
    expect(runs.map((r) => r.options.users)).toEqual([["bob"]]);
    const integrity = await t.migration.validateMigrationIntegrity(run.runId ?? "", { sampleSize: 10 });
    expect(integrity).toMatchObject({ passed: true, checks: { failed: 0 } });
    expect(JSON.stringify(await t.migration.listRuns())).not.toContain("alice");
  });
});

describe("a rollback", () => {
  it("keeps a live store that arrives while it runs, and erases nobody", async () => {
    const t = memoryWithLegacy();
    const run = await t.migration.migrateSpecificUsers(["alice"]);
    const runs = t.stores.runs;
    if (!runs) throw new Error("no run store");
    const removeRunFromUser = runs.removeRunFromUser.bind(runs);
    // The bot stores for alice just after the rollback took the run's exchanges away.
    runs.removeRunFromUser = async (runId, userId) => {
      const left = await removeRunFromUser(runId, userId);
      await t.manager.storeConversation({ userId, userMessage: "Hi again", botResponse: "Welcome back" });
      return left;
    };
    expect(await t.migration.rollbackMigration(run.runId ?? "")).toEqual({ users: 1, usersRemoved: 1 });
    const kept = (await t.stores.archive?.allExchanges(`${tenant}/alice`)) ?? [];
    expect(kept.map((e) => e.userMessage)).toEqual(["Hi again"]);
    expect(await t.stores.erasures?.erased([`${tenant}/alice`])).toEqual(new Set());
  });
});

describe("a migration without MIGRATION_TENANT", () => {
  it("refuses to start, naming the setting", async () => {
    const t = memoryWithLegacy({});
    await expect(t.migration.migrateAllConversations()).rejects.toThrow(ConfigError);
    await expect(t.migration.migrateAllConversations()).rejects.toThrow(
      /HIERARCHICAL_MEMORY_MIGRATION_TENANT/,
    );
  });
});
