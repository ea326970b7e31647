import { describe, expect, it } from "vitest";
import { legacyRecords } from "../../infra/local/legacy-fixture.js";
import {
  classify,
  type LegacyRecord,
  parseDocument,
  parseLegacyTimestamp,
  toExchange,
} from "../../shared/migration/legacy.js";

const record = (over: Partial<LegacyRecord>): LegacyRecord => ({
  collection: "user_memories",
  id: "x",
  document: null,
  metadata: {},
  ...over,
});

describe("classify", () => {
  it("classifies the fixture generator's records into every kind, with reasons for the few it cannot", () => {
    const kinds = new Map<string, number>();
    const reasons = new Set<string>();
    for (const r of legacyRecords(3000, 42)) {
      const c = classify(r);
      kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
      if (c.kind === "unclassifiable") reasons.add(c.reason.replace(/"[^"]*"/g, "…"));
    }
    expect([...kinds.keys()].sort()).toEqual([
      "conversation",
      "global_fact",
      "personality_fact",
      "unclassifiable",
      "user_fact",
      "versioned_fact",
    ]);
    expect(kinds.get("unclassifiable")).toBeLessThan(30);
    expect([...reasons].sort()).toEqual(["conversation without a user (no user_id, id …)", "unknown type …"]);
  });

  it("goes by type first, then id pattern, then conversation fields", () => {
    expect(
      classify(record({ id: "u1_fact_1", metadata: { type: "conversation", user_id: "u1" } })),
    ).toMatchObject({ kind: "conversation", via: "type" });
    expect(classify(record({ id: "u1_fact_1", metadata: {} }))).toMatchObject({
      kind: "user_fact",
      userId: "u1",
      via: "id",
    });
    expect(classify(record({ id: "u_9_personality_3" }))).toMatchObject({
      kind: "personality_fact",
      userId: "u_9",
    });
    expect(
      classify(record({ id: "a_2025-09-18T14:03:22.123456_v1", metadata: { fact_type: "bio", version: 2 } })),
    ).toMatchObject({ kind: "versioned_fact", userId: "a" });
    expect(
      classify(record({ id: "my_user_2025-09-18T14:03:22.1_ab", document: "User: hi\nBot: hello" })),
    ).toMatchObject({ kind: "conversation", userId: "my_user", via: "fields" });
    expect(classify(record({ collection: "global_facts", id: "g1", metadata: null }))).toMatchObject({
      kind: "global_fact",
      userId: null,
    });
  });

  it("gives a reason instead of skipping silently", () => {
    expect(classify(record({ id: "orphan", document: "just text" }))).toEqual({
      kind: "unclassifiable",
      reason: "no type, id pattern or conversation fields",
    });
    expect(classify(record({ id: "orphan", metadata: { type: "mystery" } }))).toEqual({
      kind: "unclassifiable",
      reason: 'unknown type "mystery"',
    });
    expect(classify(record({ id: "nouser", metadata: { type: "user_fact" } }))).toMatchObject({
      kind: "unclassifiable",
      reason: expect.stringMatching(/without a user/),
    });
  });
});

describe("parsing", () => {
  it("splits documents with Assistant or Bot, keeping newlines in the user part", () => {
    expect(parseDocument("User: a\nb\nAssistant: c")).toEqual({ userMessage: "a\nb", botResponse: "c" });
    expect(parseDocument("User: hi\nBot: yo")).toEqual({ userMessage: "hi", botResponse: "yo" });
    expect(parseDocument("no roles here")).toBeUndefined();
  });

  it("reads naive timestamps as UTC and honours offsets and epochs", () => {
    expect(parseLegacyTimestamp("2025-09-18T14:03:22.123456")?.toISOString()).toBe(
      "2025-09-18T14:03:22.123Z",
    );
    expect(parseLegacyTimestamp("2025-09-18 14:03:22")?.toISOString()).toBe("2025-09-18T14:03:22.000Z");
    expect(parseLegacyTimestamp("2025-09-18T14:03:22+02:00")?.toISOString()).toBe("2025-09-18T12:03:22.000Z");
    expect(parseLegacyTimestamp(1_758_204_202)?.toISOString()).toBe("2025-09-18T14:03:22.000Z");
    expect(parseLegacyTimestamp("yesterday")).toBeUndefined();
    expect(parseLegacyTimestamp(null)).toBeUndefined();
  });
});

describe("toExchange", () => {
  const migratedAt = new Date("2026-01-01T00:00:00Z");

  it("keeps text, time and every legacy field, with a deterministic idempotency key", () => {
    const r = record({
      id: "u1_2025-09-18T14:03:22.123456_ab",
      document: "User: hi\nAssistant: hello",
      metadata: {
        user_id: "u1",
        timestamp: "2025-09-18T14:03:22.123456",
        user_message: "hi",
        bot_response: "hello",
        detected_emotion: "joy",
      },
    });
    expect(toExchange(r, "u1", migratedAt)).toEqual({
      userId: "u1",
      userMessage: "hi",
      botResponse: "hello",
      timestamp: new Date("2025-09-18T14:03:22.123Z"),
      idempotencyKey: "legacy:u1_2025-09-18T14:03:22.123456_ab",
      metadata: { legacy: { id: r.id, collection: "user_memories", metadata: r.metadata } },
    });
  });

  it("falls back to the document for text and to the id for time, and flags a missing time", () => {
    const fromDoc = toExchange(
      record({ id: "u_2025-01-02T03:04:05.6_x", document: "User: a\nBot: b", metadata: { user_id: "u" } }),
      "u",
      migratedAt,
    );
    expect(fromDoc).toMatchObject({
      userMessage: "a",
      botResponse: "b",
      timestamp: new Date("2025-01-02T03:04:05.600Z"),
    });
    const noTime = toExchange(record({ id: "u_x", document: "User: a\nBot: b" }), "u", migratedAt);
    expect(noTime).toMatchObject({ timestamp: migratedAt, metadata: { legacy: { timestampMissing: true } } });
  });

  it("reports what cannot be migrated, with the reason", () => {
    expect(toExchange(record({ document: "nothing" }), "u", migratedAt)).toEqual({
      reason: "conversation without user_message, bot_response or a User:/Assistant: document",
    });
    expect(
      toExchange(record({ metadata: { user_message: "a\u0000", bot_response: "" } }), "u", migratedAt),
    ).toMatchObject({
      reason: expect.stringMatching(/NUL/),
    });
  });
});

describe("a conversation's channel", () => {
  const conversation = (channel: unknown) =>
    toExchange(
      record({
        metadata: { user_id: "u1", channel_id: channel as string, user_message: "hi", bot_response: "yo" },
      }),
      "t/u1",
      new Date(0),
    );

  it("becomes its session (a numeric channel as its digits); one the API cannot name stays in legacy only", () => {
    expect(conversation("dm")).toMatchObject({ sessionId: "dm" });
    expect(conversation(123456)).toMatchObject({ sessionId: "123456" });
    for (const unnamed of ["general chat", "", null, 1.5e300 * 1e10, { id: 1 }]) {
      const mapped = conversation(unnamed);
      expect(mapped).not.toHaveProperty("sessionId");
      expect(mapped).toMatchObject({ metadata: { legacy: { metadata: { channel_id: unnamed } } } });
    }
  });
});
