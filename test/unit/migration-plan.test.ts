import { describe, expect, it } from "vitest";
import type { LegacyRecord } from "../../shared/migration/legacy.js";
import { exchangeIdFor, planRecord } from "../../shared/migration/plan.js";
import { sumReports } from "../../shared/migration/reports.js";

const migratedAt = new Date("2026-01-01T00:00:00Z");
const plan = (record: Partial<LegacyRecord>) =>
  planRecord(
    { collection: "user_memories", id: "x", document: null, metadata: null, ...record },
    { tenant: "acme", migratedAt },
  );

describe("planRecord", () => {
  it("puts a conversation under <tenant>/<legacy user> with an id derived from the legacy id", () => {
    const p = plan({
      id: "42_2025-09-18T14:03:22_a",
      metadata: { user_id: "42", user_message: "hi", bot_response: "hello" },
    });
    expect(p).toMatchObject({
      kind: "conversation",
      legacyUserId: "42",
      exchange: {
        userId: "acme/42",
        idempotencyKey: "legacy:42_2025-09-18T14:03:22_a",
        id: exchangeIdFor("acme/42", "42_2025-09-18T14:03:22_a"),
      },
    });
  });

  it("turns a fact into a note, and a global fact into one of the tenant's _global user", () => {
    expect(
      plan({ id: "7_fact_1", document: "User likes tea", metadata: { type: "user_fact" } }),
    ).toMatchObject({
      exchange: {
        userId: "acme/7",
        kind: "note",
        userMessage: "User likes tea",
        botResponse: "",
        timestamp: migratedAt,
        metadata: { kind: "fact", factKind: "user_fact", legacy: { timestampMissing: true } },
      },
    });
    expect(
      plan({
        collection: "global_facts",
        id: "g1",
        document: "Bot is Elena",
        metadata: { type: "global_fact" },
      }),
    ).toMatchObject({
      exchange: { userId: "acme/_global", kind: "note" },
    });
  });

  it("gives a reason instead of an exchange for what cannot be migrated", () => {
    expect(plan({ id: "7_fact_2", document: "  ", metadata: { type: "user_fact" } })).toEqual({
      kind: "user_fact",
      legacyUserId: "7",
      skip: "user_fact with no text",
    });
    expect(plan({ metadata: { user_id: "a b", user_message: "x" } })).toMatchObject({
      skip: expect.stringContaining("not a valid API user id"),
    });
    expect(plan({ id: "z", metadata: {} })).toMatchObject({
      kind: "unclassifiable",
      skip: expect.any(String),
    });
  });
});

describe("exchangeIdFor", () => {
  it("is a stable name-based UUID (v5) per (user, legacy id), different for another user or record", () => {
    const id = exchangeIdFor("acme/1", "r1");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(exchangeIdFor("acme/1", "r1")).toBe(id);
    expect(new Set([id, exchangeIdFor("acme/2", "r1"), exchangeIdFor("acme/1", "r2")]).size).toBe(3);
  });
});

describe("sumReports", () => {
  it("adds counts per kind and groups skips by reason with a few examples", () => {
    const batch = (ids: string[], kind: "conversation" | "user_fact") => ({
      seen: ids.length,
      migrated: ids.length - 1,
      existing: 0,
      filtered: 1,
      erased: 0,
      byKind: { [kind]: ids.length },
      skipped: [{ id: ids[0] ?? "", reason: `user_id "${ids[0]}" is not a valid API user id` }],
    });
    const totals = sumReports([
      batch(["a", "b"], "conversation"),
      batch(["c", "d", "e", "f", "g"], "conversation"),
      batch(["h"], "user_fact"),
    ]);
    expect(totals).toMatchObject({
      seen: 8,
      migrated: 5,
      filtered: 3,
      skipped: 3,
      byKind: { conversation: 7, user_fact: 1 },
    });
    expect(totals.skippedByReason).toEqual([
      { reason: 'user_id "…" is not a valid API user id', count: 3, examples: ["a", "c", "h"] },
    ]);
  });
});

describe("migrate:cloud execution input", () => {
  it("is what the Plan task accepts, with its defaults, and refuses bad flags before starting anything", async () => {
    const { executionInput } = await import("../../infra/cli/migrate-cloud-input.js");
    expect(executionInput({ users: "42, alice", "batch-size": "250" })).toEqual({
      users: ["42", "alice"],
      batchSize: 250,
      groupSize: 20,
      validateSample: 100,
    });
    expect(() => executionInput({ "batch-size": "0" })).toThrow();
    expect(() => executionInput({ resume: "not-a-run-id" })).toThrow();
  });
});
