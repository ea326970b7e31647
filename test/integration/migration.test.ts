/** Migration from a real legacy Chroma into the four emulated tiers. */
import { describe, expect, it } from "vitest";
import { legacyRecords } from "../../infra/local/legacy-fixture.js";
import type { LegacyRecord } from "../../shared/migration/legacy.js";
import { createTestMemory, expectProjectionMatchesArchive, uniqueId } from "../helpers/memory.js";
import { legacyStore, migrator, tenantCounts } from "../helpers/migration.js";

const legacy = await legacyStore();

/** One record of every shape the legacy store holds, and what must become of it. */
const shapes: LegacyRecord[] = [
  {
    collection: "user_memories",
    id: "u1_2025-09-18T14:03:22.123456_a",
    document: "User: I love jazz\nAssistant: Who is your favourite?",
    metadata: {
      user_id: "u1",
      type: "conversation",
      timestamp: "2025-09-18T14:03:22.123456",
      channel_id: "dm",
      user_message: "I love jazz",
      bot_response: "Who is your favourite?",
      detected_emotion: "joy",
      personality_openness: 0.7,
    },
  },
  {
    // No type, no user_message in metadata, "Bot:" document, no timestamp but one in the id.
    collection: "user_memories",
    id: "u1_2025-09-19T08:00:00.5_b",
    document: "User: Tôi thích phở 🍜\nBot: Phở là tuyệt vời!",
    metadata: { user_id: "u1", channel_id: "12345" },
  },
  {
    collection: "user_memories",
    id: "u1_fact_1",
    document: "User likes green tea",
    metadata: { user_id: "u1", type: "user_fact", category: "preference", confidence: 0.9 },
  },
  {
    collection: "user_memories",
    id: "u2_personality_1",
    document: "Personality: curious",
    metadata: { personality_openness: 0.8 },
  },
  {
    collection: "user_memories",
    id: "u2_2025-01-01T00:00:00_v1",
    document: "Fact: works as a nurse",
    metadata: { user_id: "u2", fact_type: "biographical", version: 2 },
  },
  {
    collection: "global_facts",
    id: "global_fact_1",
    document: "The bot's name is Elena.",
    metadata: { type: "global_fact", category: "bot" },
  },
  // Cannot be migrated, each for a reason the report must give.
  { collection: "user_memories", id: "mystery", document: "???", metadata: { foo: 1 } },
  {
    collection: "user_memories",
    id: "u3_2025-01-01T00:00:00_c",
    document: "User: \nAssistant: ",
    metadata: { user_id: "u3", user_message: " ", bot_response: "" },
  },
  {
    collection: "user_memories",
    id: "bad_2025-01-01T00:00:00_d",
    document: "User: hi\nAssistant: hello",
    metadata: { user_id: "has space", user_message: "hi", bot_response: "hello" },
  },
];

describe("HierarchicalMigrationManager", () => {
  it("migrates every record shape with its time and metadata, and reports each skip with its reason", async () => {
    const tenant = uniqueId("shapes");
    const memory = await createTestMemory({ HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant });
    await legacy.fill(shapes);
    const report = await migrator(memory, legacy.source).migrateAllConversations({ batchSize: 4 });

    expect(report.state).toBe("completed");
    expect(report.records).toMatchObject({ seen: 9, migrated: 6, existing: 0, skipped: 3 });
    expect(report.records.byKind).toEqual({
      conversation: 4,
      user_fact: 1,
      personality_fact: 1,
      versioned_fact: 1,
      global_fact: 1,
      unclassifiable: 1,
    });
    const reasons = report.records.skippedByReason.map((r) => [r.reason, r.examples]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ["no type, id pattern or conversation fields", ["mystery"]],
        ["conversation with empty text", ["u3_2025-01-01T00:00:00_c"]],
        [expect.stringContaining("not a valid API user id"), ["bad_2025-01-01T00:00:00_d"]],
      ]),
    );

    const u1 = await memory.stores.archive?.allExchanges(`${tenant}/u1`);
    expect(u1?.map((e) => [e.userMessage, e.botResponse, e.createdAt.toISOString()])).toEqual([
      ["I love jazz", "Who is your favourite?", "2025-09-18T14:03:22.123Z"],
      ["Tôi thích phở 🍜", "Phở là tuyệt vời!", "2025-09-19T08:00:00.500Z"],
      ["User likes green tea", "", expect.any(String)],
    ]);
    // A conversation's channel is its session.
    expect(u1?.map((e) => e.sessionId)).toEqual(["dm", "12345", undefined]);
    expect((await memory.manager.listSessions(`${tenant}/u1`, 10)).map((s) => s.sessionId).sort()).toEqual([
      "12345",
      "dm",
    ]);
    expect(u1?.[0]?.metadata).toMatchObject({
      legacy: { id: shapes[0]?.id, metadata: { detected_emotion: "joy", personality_openness: 0.7 } },
    });
    expect(u1?.[2]?.metadata).toMatchObject({ kind: "fact", factKind: "user_fact" });
    // Facts are notes (issue 18): listed as such, conversations are exchanges.
    expect(u1?.map((e) => e.kind)).toEqual(["exchange", "exchange", "note"]);
    expect((await memory.manager.listNotes(`${tenant}/u1`, 10)).items.map((e) => e.userMessage)).toEqual([
      "User likes green tea",
    ]);
    const global = await memory.stores.archive?.allExchanges(`${tenant}/_global`);
    expect(global?.map((e) => [e.userMessage, e.kind])).toEqual([["The bot's name is Elena.", "note"]]);
    for (const user of ["u1", "u2", "_global"])
      for (const tier of memory.manager.projections)
        await expectProjectionMatchesArchive(memory, tier, `${tenant}/${user}`);
  });

  it("writes nothing to any tier on a dry run, and reports what a real run would do", async () => {
    const tenant = uniqueId("dry");
    const memory = await createTestMemory({ HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant });
    await legacy.fill(legacyRecords(300, 11));
    const before = await tenantCounts(memory, tenant);
    const dry = await migrator(memory, legacy.source).migrateAllConversations({
      dryRun: true,
      batchSize: 50,
    });
    expect(await tenantCounts(memory, tenant)).toEqual(before);
    expect(before.exchanges).toBe(0);
    expect(dry).toMatchObject({ runId: null, state: "dry-run", dryRun: true });

    const real = await migrator(memory, legacy.source).migrateAllConversations({ batchSize: 50 });
    expect(real.records).toEqual(dry.records);
    expect(real.records.seen).toBe(300);
    expect(real.records.migrated + real.records.skipped).toBe(300);
    expect((await tenantCounts(memory, tenant)).exchanges).toBe(real.records.migrated);
  });

  it("re-running writes nothing twice, and a validated run scores 1", async () => {
    const tenant = uniqueId("rerun");
    const memory = await createTestMemory({ HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant });
    await legacy.fill(legacyRecords(200, 5));
    const first = await migrator(memory, legacy.source).migrateAllConversations({
      batchSize: 30,
      concurrency: 3,
    });
    const counts = await tenantCounts(memory, tenant);
    const second = await migrator(memory, legacy.source).migrateAllConversations({ batchSize: 70 });
    expect(second.records.migrated).toBe(0);
    expect(second.records.existing).toBe(first.records.migrated);
    expect({ ...(await tenantCounts(memory, tenant)), runs: 0 }).toEqual({ ...counts, runs: 0 });

    const integrity = await migrator(memory, legacy.source).validateMigrationIntegrity(first.runId ?? "", {
      sampleSize: 60,
    });
    expect(integrity).toMatchObject({ score: 1, passed: true, rolledBack: false });
    expect(integrity.checks.total).toBeGreaterThan(60);
    expect((await memory.stores.archive?.exchangeCount(`${tenant}/user_0`)) ?? 0).toBeGreaterThan(0);
  });

  it("migrates only the chosen users", async () => {
    const tenant = uniqueId("some");
    const memory = await createTestMemory({ HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant });
    await legacy.fill(legacyRecords(200, 9));
    const report = await migrator(memory, legacy.source).migrateSpecificUsers(["user_1", "user_2"], {
      batchSize: 64,
    });
    const { rows } = (await memory
      .raw()
      .pg.query<{ user_id: string }>(
        "SELECT DISTINCT user_id FROM exchanges WHERE user_id LIKE $1 ORDER BY user_id",
        [`${tenant}/%`],
      )) ?? { rows: [] };
    expect(rows.map((r) => r.user_id)).toEqual([`${tenant}/user_1`, `${tenant}/user_2`]);
    expect(report.records.filtered).toBeGreaterThan(150);
    expect(report.records.seen).toBe(200);
  });
});
