/** What an import record becomes: its archive row, its idempotency key and id, or the API rule it breaks. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importExchangeId, importIdempotencyKey, planImportRecord } from "../../shared/import/plan.js";
import type { ImportRecord } from "../../shared/import/records.js";

const importedAt = new Date("2026-02-01T00:00:00Z");
const base: ImportRecord = { userId: "discord-1", kind: "exchange", userMessage: "hi", botResponse: "hello" };
const plan = (record: Partial<ImportRecord>, tenant = "acme") =>
  planImportRecord({ ...base, ...record }, { tenant, importedAt });
const skipOf = (record: Partial<ImportRecord>) => {
  const p = plan(record);
  return "skip" in p ? p.skip : "not skipped";
};
const exchangeOf = (record: Partial<ImportRecord>, tenant?: string) => {
  const p = plan(record, tenant);
  if ("skip" in p) throw new Error(`unexpected skip: ${p.skip}`);
  return p.exchange;
};

describe("planImportRecord", () => {
  it("maps every field, under <tenant>/<userId>, keyed by the external id", () => {
    const metadata = { channel: "general" };
    const timestamp = new Date("2025-03-02T18:04:11Z");
    const exchange = exchangeOf({
      speaker: "pixelfox",
      sessionId: "guild-42.general",
      agentId: "helper-bot",
      metadata,
      timestamp,
      externalId: "msg-1",
    });
    expect(exchange).toEqual({
      id: importExchangeId("acme/discord-1", "import:ext:msg-1"),
      userId: "acme/discord-1",
      kind: "exchange",
      userMessage: "hi",
      botResponse: "hello",
      speaker: "pixelfox",
      sessionId: "guild-42.general",
      agentId: "helper-bot",
      metadata: { channel: "general" },
      timestamp,
      idempotencyKey: "import:ext:msg-1",
    });
    expect(exchange.metadata).not.toBe(metadata);
  });

  it("defaults the time to the import's and the metadata to {}, and leaves out absent scope fields", () => {
    const exchange = exchangeOf({});
    expect(exchange.timestamp).toBe(importedAt);
    expect(exchange.metadata).toEqual({});
    expect(Object.keys(exchange).sort()).toEqual(
      [
        "botResponse",
        "id",
        "idempotencyKey",
        "kind",
        "metadata",
        "timestamp",
        "userId",
        "userMessage",
      ].sort(),
    );
  });

  it("keeps a note a note", () => {
    expect(exchangeOf({ kind: "note", userMessage: "likes tea", botResponse: "" })).toMatchObject({
      kind: "note",
      userMessage: "likes tea",
      botResponse: "",
    });
  });

  it("derives a name-based id that does not change", () => {
    const exchange = exchangeOf({ externalId: "msg-1" });
    expect(exchange.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Pinned: a changed namespace or name would make every re-import write everything again.
    expect(importExchangeId("acme/discord-1", "import:ext:msg-1")).toBe(
      "c1572ee2-c367-5265-84cf-f090806b077a",
    );
    expect(exchangeOf({ externalId: "msg-1" }, "other").id).not.toBe(exchange.id);
    expect(exchangeOf({ externalId: "msg-2" }).id).not.toBe(exchange.id);
  });
});

describe("the idempotency key of a record without an external id", () => {
  const timestamp = new Date("2025-03-02T18:04:11Z");
  const full: ImportRecord = {
    ...base,
    speaker: "pixelfox",
    sessionId: "s1",
    agentId: "a1",
    timestamp,
    metadata: { channel: "general" },
  };

  it("is a SHA-256 of user, kind, scope, speaker, time and texts", () => {
    const fields = [
      "discord-1",
      "exchange",
      "s1",
      "a1",
      "pixelfox",
      "2025-03-02T18:04:11.000Z",
      "hi",
      "hello",
    ];
    const sha = createHash("sha256").update(fields.join("\u0000")).digest("hex").slice(0, 32);
    expect(importIdempotencyKey(full)).toBe(`import:sha:${sha}`);
    const bare = ["discord-1", "exchange", "", "", "", "", "hi", "hello"];
    const bareSha = createHash("sha256").update(bare.join("\u0000")).digest("hex").slice(0, 32);
    expect(importIdempotencyKey(base)).toBe(`import:sha:${bareSha}`);
  });

  it("is the same for the same record, every time, and in the row", () => {
    const key = importIdempotencyKey(full);
    expect(importIdempotencyKey({ ...full, timestamp: new Date(timestamp) })).toBe(key);
    expect(exchangeOf(full)).toMatchObject({
      idempotencyKey: key,
      id: importExchangeId("acme/discord-1", key),
    });
    expect(exchangeOf(full).id).toBe(exchangeOf(full).id);
  });

  it("does not depend on metadata (a re-import with enriched metadata is the same memory)", () => {
    expect(importIdempotencyKey({ ...full, metadata: { other: 1 } })).toBe(importIdempotencyKey(full));
  });

  it.each([
    ["userId", { userId: "discord-2" }],
    ["kind", { kind: "note" as const }],
    ["sessionId", { sessionId: "s2" }],
    ["no sessionId", { sessionId: undefined }],
    ["agentId", { agentId: "a2" }],
    ["speaker", { speaker: "other" }],
    ["timestamp", { timestamp: new Date(timestamp.getTime() + 1) }],
    ["no timestamp", { timestamp: undefined }],
    ["userMessage", { userMessage: "hi!" }],
    ["botResponse", { botResponse: "hello!" }],
    // The NUL separator keeps text from moving across fields unnoticed.
    ["text moved between the two messages", { userMessage: "hihel", botResponse: "lo" }],
  ])("differs when %s differs", (_, change) => {
    expect(importIdempotencyKey({ ...full, ...change })).not.toBe(importIdempotencyKey(full));
  });

  it("is the external id's when there is one, whatever the content", () => {
    expect(importIdempotencyKey({ ...full, externalId: "m-9" })).toBe("import:ext:m-9");
    expect(importIdempotencyKey({ ...base, externalId: "m-9" })).toBe("import:ext:m-9");
  });
});

describe("the API's rules", () => {
  const long = (n: number) => "x".repeat(n);
  const userIdRule = "must be 1-128 characters of letters, digits and . _ : @ -";
  const unstorable = "must not contain NUL (U+0000) or unpaired surrogates, which cannot be stored";
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 20; i++) deep = { nested: deep };

  it.each([
    ["a user id with a space", { userId: "has space" }, `userId: ${userIdRule}`],
    ["an empty user id", { userId: "" }, `userId: ${userIdRule}`],
    ["a user id of 129 characters", { userId: long(129) }, `userId: ${userIdRule}`],
    ["a user id with a slash", { userId: "acme/u1" }, `userId: ${userIdRule}`],
    ["a bad session id", { sessionId: "#general" }, `sessionId: ${userIdRule}`],
    ["a bad agent id", { agentId: "helper bot" }, `agentId: ${userIdRule}`],
    [
      "a message of 32,001 characters",
      { userMessage: long(32_001) },
      "userMessage: longer than 32000 characters",
    ],
    [
      "a reply of 32,001 characters",
      { botResponse: long(32_001) },
      "botResponse: longer than 32000 characters",
    ],
    ["a message with NUL", { userMessage: "a\u0000b" }, `userMessage: ${unstorable}`],
    ["a reply with a lone surrogate", { botResponse: "a\uD800b" }, `botResponse: ${unstorable}`],
    [
      "two empty texts",
      { userMessage: "", botResponse: "" },
      "userMessage and botResponse cannot both be empty",
    ],
    [
      "two blank texts",
      { userMessage: " \n", botResponse: "\t" },
      "userMessage and botResponse cannot both be empty",
    ],
    [
      "a blank note",
      { kind: "note" as const, userMessage: "  ", botResponse: "" },
      "text: must not be blank",
    ],
    [
      "a note of 32,001 characters",
      { kind: "note" as const, userMessage: long(32_001), botResponse: "" },
      "text: longer than 32000 characters",
    ],
    [
      "a note with NUL",
      { kind: "note" as const, userMessage: "\u0000", botResponse: "" },
      `text: ${unstorable}`,
    ],
    ["a blank speaker", { speaker: "  " }, "speaker: must not be blank"],
    ["an empty speaker", { speaker: "" }, "speaker: must not be blank"],
    ["a speaker of 201 characters", { speaker: long(201) }, "speaker: longer than 200 characters"],
    ["a speaker with NUL", { speaker: "a\u0000" }, `speaker: ${unstorable}`],
    ["an invalid time", { timestamp: new Date(Number.NaN) }, "timestamp: not a valid date"],
    ["metadata nested too deep", { metadata: deep }, "metadata: must not be nested deeper than 16 levels"],
    ["metadata with a NUL key", { metadata: { "a\u0000": 1 } }, `metadata: ${unstorable}`],
    ["metadata with a NUL value", { metadata: { a: ["\u0000"] } }, `metadata: ${unstorable}`],
    ["an empty external id", { externalId: "" }, "externalId: must not be empty"],
    ["an external id of 256 characters", { externalId: long(256) }, "externalId: longer than 255 characters"],
    ["an external id with NUL", { externalId: "m\u0000" }, `externalId: ${unstorable}`],
  ])("skips %s", (_, record, reason) => {
    expect(skipOf(record)).toBe(reason);
  });

  it("accepts everything at the limits", () => {
    const exchange = exchangeOf({
      userId: long(128),
      sessionId: "a.b_c:d@e-f",
      userMessage: long(32_000),
      botResponse: "",
      speaker: long(200),
      externalId: long(255),
      metadata: { emoji: "🎲", nested: { list: [1, "two", null] } },
    });
    expect(exchange).toMatchObject({
      userId: `acme/${long(128)}`,
      idempotencyKey: `import:ext:${long(255)}`,
    });
    expect(exchangeOf({ userMessage: "", botResponse: "only a reply" }).userMessage).toBe("");
  });
});
