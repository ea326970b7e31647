/** The import formats: how a file is cut into units, what each unit gives, and the reasons a bad one is refused. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseUnit, splitUnits } from "../../shared/import/formats/index.js";
import { planImportRecord } from "../../shared/import/plan.js";
import type { ImportFormat, ParsedUnit } from "../../shared/import/records.js";

const json = (value: unknown) => JSON.stringify(value);
const parse = (format: ImportFormat, value: unknown, line = 1): ParsedUnit =>
  parseUnit(format, { line, text: typeof value === "string" ? value : json(value) });
const errorOf = (format: ImportFormat, value: unknown) => {
  const parsed = parse(format, value);
  return "error" in parsed ? parsed.error : `no error: ${json(parsed.records)}`;
};
const recordsOf = (format: ImportFormat, value: unknown) => {
  const parsed = parse(format, value);
  if ("error" in parsed) throw new Error(`unexpected error: ${parsed.error}`);
  return parsed.records;
};

describe("splitUnits", () => {
  it.each(["ndjson", "openai"] as const)(
    "%s: one unit per non-blank line, numbered as an editor does",
    (format) => {
      const text = '\uFEFF{"a":1}\r\n\r\n   \n{"b":2}\r\n\t\n{"c":3}';
      expect(splitUnits(format, text)).toEqual([
        { line: 1, text: '{"a":1}' },
        { line: 4, text: '{"b":2}' },
        { line: 6, text: '{"c":3}' },
      ]);
    },
  );

  it("gives nothing for an empty or blank file", () => {
    expect(splitUnits("ndjson", "")).toEqual([]);
    expect(splitUnits("ndjson", "\uFEFF\r\n \n")).toEqual([]);
    expect(splitUnits("mem0", "  \n")).toEqual([]);
  });

  it("mem0: each item of a JSON list is a unit, numbered from 1", () => {
    const text = `\uFEFF\n[\n  {"id": "a", "memory": "x"},\n  {"id": "b", "memory": "y"}\n]\n`;
    expect(splitUnits("mem0", text)).toEqual([
      { line: 1, text: '{"id":"a","memory":"x"}' },
      { line: 2, text: '{"id":"b","memory":"y"}' },
    ]);
  });

  it.each(["results", "memories"])("mem0: so is each item of a document's %s", (key) => {
    const text = json({ count: 2, next: null, [key]: [{ id: "a" }, "oops"] });
    expect(splitUnits("mem0", text)).toEqual([
      { line: 1, text: '{"id":"a"}' },
      { line: 2, text: '"oops"' },
    ]);
  });

  it("mem0: anything else is NDJSON of memories", () => {
    expect(splitUnits("mem0", '{"id":"a"}\r\n\r\n{"id":"b"}\n')).toEqual([
      { line: 1, text: '{"id":"a"}' },
      { line: 3, text: '{"id":"b"}' },
    ]);
    // One object with neither results nor memories is a file of one memory.
    expect(splitUnits("mem0", '{"id":"a","results":"none"}')).toEqual([
      { line: 1, text: '{"id":"a","results":"none"}' },
    ]);
    // A broken document is reported line by line, not as one unreadable file.
    expect(splitUnits("mem0", '[{"id":"a"},\n{"id":')).toEqual([
      { line: 1, text: '[{"id":"a"},' },
      { line: 2, text: '{"id":' },
    ]);
  });
});

describe("every format: a unit that is not a JSON object", () => {
  it.each(["ndjson", "openai", "mem0"] as const)("%s", (format) => {
    const notJson = errorOf(format, "hello there, this is not json");
    expect(notJson).toMatch(/^not JSON: Unexpected token/);
    expect(notJson.length).toBeLessThanOrEqual(80);
    expect(errorOf(format, "[1,2]")).toBe("not a JSON object");
    expect(errorOf(format, "null")).toBe("not a JSON object");
    expect(errorOf(format, '"text"')).toBe("not a JSON object");
  });

  it("never repeats more than a few characters of a long line", () => {
    const secret = `{"userId": "u1", "userMessage": "${"my password is hunter2 ".repeat(20)}`;
    const error = errorOf("ndjson", secret);
    expect(error.length).toBeLessThanOrEqual(80);
    expect(error).not.toContain("my password is hunter2 my password");
    expect(parse("ndjson", secret, 17)).toMatchObject({ line: 17 });
  });
});

describe("ndjson (native)", () => {
  it("reads an exchange with every field, id as externalId", () => {
    const parsed = parse(
      "ndjson",
      {
        userId: "discord-1",
        userMessage: "hi",
        botResponse: "hello",
        timestamp: "2025-03-02T18:06:40+01:00",
        speaker: "pixelfox",
        sessionId: "guild-42.general",
        agentId: "helper-bot",
        metadata: { channel: "general", tags: ["a"] },
        id: "msg-1",
        kind: "exchange",
      },
      7,
    );
    expect(parsed).toEqual({
      line: 7,
      records: [
        {
          userId: "discord-1",
          kind: "exchange",
          userMessage: "hi",
          botResponse: "hello",
          timestamp: new Date("2025-03-02T17:06:40Z"),
          speaker: "pixelfox",
          sessionId: "guild-42.general",
          agentId: "helper-bot",
          metadata: { channel: "general", tags: ["a"] },
          externalId: "msg-1",
        },
      ],
    });
  });

  it("leaves out what the line does not give", () => {
    expect(recordsOf("ndjson", { userId: "u", userMessage: "hi", botResponse: "" })).toEqual([
      { userId: "u", kind: "exchange", userMessage: "hi", botResponse: "" },
    ]);
    expect(recordsOf("ndjson", { userId: "u", userMessage: "a", botResponse: "b", externalId: "e" })).toEqual(
      [{ userId: "u", kind: "exchange", userMessage: "a", botResponse: "b", externalId: "e" }],
    );
  });

  it("reads a note: its text as the user's message, no reply", () => {
    expect(
      recordsOf("ndjson", {
        userId: "u",
        kind: "note",
        text: "likes tea",
        timestamp: "2025-01-01T00:00:00Z",
      }),
    ).toEqual([
      {
        userId: "u",
        kind: "note",
        userMessage: "likes tea",
        botResponse: "",
        timestamp: new Date("2025-01-01T00:00:00Z"),
      },
    ]);
  });

  it("takes id and externalId together only when they agree", () => {
    expect(
      recordsOf("ndjson", { userId: "u", userMessage: "a", botResponse: "b", id: "x", externalId: "x" }),
    ).toMatchObject([{ externalId: "x" }]);
    expect(
      errorOf("ndjson", { userId: "u", userMessage: "a", botResponse: "b", id: "x", externalId: "y" }),
    ).toBe("id: an alias of externalId; give one of them");
  });

  const exchange = { userId: "u", userMessage: "a", botResponse: "b" };
  it.each([
    ["a missing user id", { userMessage: "a", botResponse: "b" }, "userId: required"],
    ["a number for a user id", { ...exchange, userId: 123456 }, "userId: must be a string"],
    ["a missing reply", { userId: "u", userMessage: "a" }, "botResponse: required"],
    ["null for a message", { ...exchange, userMessage: null }, "userMessage: must be a string"],
    ["an unknown key", { ...exchange, user_message: "a" }, "user_message: unknown key"],
    [
      "a time without offset",
      { ...exchange, timestamp: "2025-03-02T18:04:11" },
      "timestamp: not an ISO 8601 date-time with offset",
    ],
    [
      "a time as a number",
      { ...exchange, timestamp: 1700000000 },
      "timestamp: not an ISO 8601 date-time with offset",
    ],
    ["a list for metadata", { ...exchange, metadata: [1] }, "metadata: must be a JSON object"],
    ["a string for metadata", { ...exchange, metadata: "x" }, "metadata: must be a JSON object"],
    ["an unknown kind", { ...exchange, kind: "fact" }, 'kind: must be "exchange" or "note"'],
    ["a note without text", { userId: "u", kind: "note" }, "text: required"],
    [
      "a note with a reply",
      { userId: "u", kind: "note", text: "t", botResponse: "b" },
      "botResponse: unknown key",
    ],
    ["a number for a speaker", { ...exchange, speaker: 1 }, "speaker: must be a string"],
    ["a number for an id", { ...exchange, id: 42 }, "id: must be a string"],
    ["several problems", {}, "userId: required; userMessage: required; botResponse: required"],
  ])("refuses %s", (_, value, reason) => {
    expect(errorOf("ndjson", value)).toBe(reason);
  });

  it("names at most three problems", () => {
    const error = errorOf("ndjson", {
      userId: 1,
      speaker: 2,
      sessionId: 3,
      agentId: 4,
      userMessage: "a",
      botResponse: "b",
    });
    expect(error).toBe(
      "userId: must be a string; speaker: must be a string; sessionId: must be a string (and 1 more)",
    );
  });

  it("leaves the API's rules to the plan", () => {
    // Not this layer's to judge: the plan skips these with the API's words.
    expect(recordsOf("ndjson", { userId: "has spaces", userMessage: "", botResponse: " " })).toHaveLength(1);
  });
});

describe("openai", () => {
  const line = {
    userId: "discord-1",
    id: "thread-7781",
    sessionId: "guild-42.support",
    agentId: "helper-bot",
    timestamp: "2025-04-10T14:20:00Z",
    metadata: { channel: "support" },
    messages: [
      { role: "system", content: "You are a helper bot." },
      { role: "user", name: "pixelfox", content: "my token stopped working" },
      { role: "assistant", content: "Regenerating invalidates the old one." },
      { role: "user", name: "pixelfox", content: [{ type: "text", text: "done" }] },
      { role: "assistant", content: "Great!" },
    ],
  };

  it("pairs each user message with its reply, one millisecond apart, ids numbered from the line's", () => {
    expect(recordsOf("openai", line)).toEqual([
      {
        userId: "discord-1",
        kind: "exchange",
        userMessage: "my token stopped working",
        botResponse: "Regenerating invalidates the old one.",
        timestamp: new Date("2025-04-10T14:20:00.000Z"),
        speaker: "pixelfox",
        sessionId: "guild-42.support",
        agentId: "helper-bot",
        metadata: { channel: "support" },
        externalId: "thread-7781#0",
      },
      {
        userId: "discord-1",
        kind: "exchange",
        userMessage: "done",
        botResponse: "Great!",
        timestamp: new Date("2025-04-10T14:20:00.001Z"),
        speaker: "pixelfox",
        sessionId: "guild-42.support",
        agentId: "helper-bot",
        metadata: { channel: "support" },
        externalId: "thread-7781#1",
      },
    ]);
  });

  it("gives each exchange its own copy of the metadata", () => {
    const [a, b] = recordsOf("openai", line);
    expect(a?.metadata).not.toBe(b?.metadata);
  });

  const pairs = (messages: unknown[]) =>
    recordsOf("openai", { userId: "u", messages }).map((r) => [r.userMessage, r.botResponse]);

  it("joins several replies with a blank line", () => {
    expect(
      pairs([
        { role: "user", content: "when?" },
        { role: "assistant", content: "Check-in at 17:30" },
        { role: "assistant", content: "and round one at 18:00." },
      ]),
    ).toEqual([["when?", "Check-in at 17:30\n\nand round one at 18:00."]]);
  });

  it("gives replies before any user message an exchange with no user message", () => {
    expect(
      pairs([
        { role: "system", content: "be nice" },
        { role: "assistant", content: "Good morning!" },
        { role: "user", content: "hi" },
        { role: "assistant", content: "Hello" },
      ]),
    ).toEqual([
      ["", "Good morning!"],
      ["hi", "Hello"],
    ]);
  });

  it("keeps a user message nobody answered, and one followed by another", () => {
    expect(
      pairs([
        { role: "user", content: "first" },
        { role: "user", content: "second" },
        { role: "assistant", content: "answer" },
        { role: "user", content: "last" },
      ]),
    ).toEqual([
      ["first", ""],
      ["second", "answer"],
      ["last", ""],
    ]);
  });

  it("skips system, developer and tool messages, and replies that only call a tool", () => {
    expect(
      pairs([
        { role: "developer", content: "rules" },
        { role: "user", content: "easiest bounty?" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function" }] },
        { role: "tool", tool_call_id: "c1", content: "[...]" },
        { role: "assistant", content: "Slime cleanup." },
      ]),
    ).toEqual([["easiest bounty?", "Slime cleanup."]]);
  });

  it("reads text parts and ignores the rest; a message with no text is empty", () => {
    expect(
      pairs([
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
            { type: "text", text: "what breed?" },
            { type: "text", text: "it is orange" },
          ],
        },
        { role: "assistant", content: "A tabby." },
        { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/dog.png" } }] },
        { role: "assistant", content: [{ type: "text", text: "A nice dog." }] },
        { role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] },
      ]),
    ).toEqual([
      ["what breed?\nit is orange", "A tabby."],
      ["", "A nice dog."],
    ]);
  });

  it("gives no records for a transcript with nothing said, and no time or id the line does not give", () => {
    expect(recordsOf("openai", { userId: "u", messages: [{ role: "system", content: "x" }] })).toEqual([]);
    expect(recordsOf("openai", { userId: "u", messages: [] })).toEqual([]);
    expect(recordsOf("openai", { userId: "u", messages: [{ role: "user", content: "hi" }] })).toEqual([
      { userId: "u", kind: "exchange", userMessage: "hi", botResponse: "" },
    ]);
  });

  it("takes the speaker from the user message only", () => {
    const records = recordsOf("openai", {
      userId: "u",
      messages: [
        { role: "assistant", name: "bot", content: "hey" },
        { role: "user", content: "hi" },
        { role: "assistant", name: "bot", content: "hello" },
      ],
    });
    expect(records.map((r) => r.speaker)).toEqual([undefined, undefined]);
  });

  const ok = { userId: "u", messages: [] };
  it.each([
    ["a missing user id", { messages: [] }, "userId: required"],
    ["missing messages", { userId: "u" }, "messages: required"],
    ["messages that are not a list", { userId: "u", messages: {} }, "messages: must be an array"],
    ["a message that is not an object", { userId: "u", messages: ["hi"] }, "messages.0: must be an object"],
    [
      "an unknown role",
      {
        userId: "u",
        messages: [
          { role: "user", content: "a" },
          { role: "bot", content: "b" },
        ],
      },
      "messages.1.role: must be one of system, user, assistant, tool, developer",
    ],
    ["a message without a role", { userId: "u", messages: [{ content: "a" }] }, "messages.0.role: required"],
    [
      "content of the wrong type",
      { userId: "u", messages: [{ role: "user", content: 5 }] },
      "messages.0.content: must be a string, an array of content parts or null",
    ],
    [
      "a text part without text",
      { userId: "u", messages: [{ role: "user", content: [{ type: "text" }] }] },
      "messages.0.content.0.text: must be a string",
    ],
    [
      "a number for a name",
      { userId: "u", messages: [{ role: "user", content: "a", name: 7 }] },
      "messages.0.name: must be a string",
    ],
    ["an unknown key on the line", { ...ok, user_id: "u" }, "user_id: unknown key"],
    [
      "a time without offset",
      { ...ok, timestamp: "2025-04-10 14:20" },
      "timestamp: not an ISO 8601 date-time with offset",
    ],
    ["a list for metadata", { ...ok, metadata: [] }, "metadata: must be a JSON object"],
  ])("refuses %s", (_, value, reason) => {
    expect(errorOf("openai", value)).toBe(reason);
  });
});

describe("mem0", () => {
  const memory = {
    id: "5f1c2a9e-8b34-4d6f-9a70-2e1d4c3b6a01",
    memory: "Plays a ranger named Thistle",
    user_id: "discord-1",
    agent_id: "dm-bot",
    run_id: "campaign-3",
    hash: "0d9c7e2b",
    metadata: { guild: "guild-42" },
    categories: ["hobbies"],
    created_at: "2024-07-20T01:12:34.123456-07:00",
    updated_at: "2024-07-21T10:00:00.000000-07:00",
    owner: "someone",
  };

  it("turns a memory into a note, its extra keys ignored", () => {
    expect(parse("mem0", memory, 3)).toEqual({
      line: 3,
      records: [
        {
          userId: "discord-1",
          kind: "note",
          userMessage: "Plays a ranger named Thistle",
          botResponse: "",
          timestamp: new Date("2024-07-20T08:12:34.123Z"),
          sessionId: "campaign-3",
          agentId: "dm-bot",
          metadata: { guild: "guild-42", source: "mem0", categories: ["hobbies"] },
          externalId: "5f1c2a9e-8b34-4d6f-9a70-2e1d4c3b6a01",
        },
      ],
    });
  });

  it("reads a time without offset as UTC", () => {
    expect(recordsOf("mem0", { ...memory, created_at: "2024-07-22T18:45:02.000001" })).toMatchObject([
      { timestamp: new Date("2024-07-22T18:45:02.000Z") },
    ]);
    expect(recordsOf("mem0", { ...memory, created_at: "2024-07-22T18:45:02Z" })).toMatchObject([
      { timestamp: new Date("2024-07-22T18:45:02.000Z") },
    ]);
  });

  it("counts null as absent", () => {
    const bare = {
      memory: "Likes ramen",
      user_id: "u",
      agent_id: null,
      run_id: null,
      metadata: null,
      categories: null,
      created_at: null,
      id: null,
    };
    expect(recordsOf("mem0", bare)).toEqual([
      {
        userId: "u",
        kind: "note",
        userMessage: "Likes ramen",
        botResponse: "",
        metadata: { source: "mem0" },
      },
    ]);
  });

  it.each([
    ["a memory without a user", { memory: "x" }, "user_id: required"],
    ["a memory without text", { user_id: "u" }, "memory: required"],
    ["a number for the text", { user_id: "u", memory: 5 }, "memory: must be a string"],
    [
      "an unreadable time",
      { user_id: "u", memory: "x", created_at: "yesterday" },
      "created_at: not an ISO 8601 date-time",
    ],
    [
      "a number for a time",
      { user_id: "u", memory: "x", created_at: 1721466754 },
      "created_at: not an ISO 8601 date-time",
    ],
    [
      "categories that are not a list",
      { user_id: "u", memory: "x", categories: "food" },
      "categories: must be an array",
    ],
    [
      "metadata that is not an object",
      { user_id: "u", memory: "x", metadata: [] },
      "metadata: must be a JSON object",
    ],
    ["a number for an id", { user_id: "u", memory: "x", id: 1 }, "id: must be a string"],
  ])("refuses %s", (_, value, reason) => {
    expect(errorOf("mem0", value)).toBe(reason);
  });

  it("numbers a document's bad items by their place in it", () => {
    const units = splitUnits("mem0", json([memory, "oops", { memory: "x" }]));
    expect(units.map((u) => parseUnit("mem0", u))).toEqual([
      expect.objectContaining({ line: 1, records: [expect.objectContaining({ userId: "discord-1" })] }),
      { line: 2, error: "not a JSON object" },
      { line: 3, error: "user_id: required" },
    ]);
  });
});

describe("the examples in docs/examples/imports", () => {
  const example = (name: string) =>
    readFileSync(new URL(`../../docs/examples/imports/${name}`, import.meta.url), "utf8");

  it.each([
    ["ndjson", "native.ndjson", 4],
    ["openai", "openai.ndjson", 5],
    ["mem0", "mem0.json", 4],
  ] as const)("%s: %s parses and plans with no errors", (format, name, count) => {
    const parsed = splitUnits(format, example(name)).map((unit) => parseUnit(format, unit));
    expect(parsed.filter((p) => "error" in p)).toEqual([]);
    const records = parsed.flatMap((p) => ("records" in p ? p.records : []));
    expect(records).toHaveLength(count);
    const plans = records.map((r) => planImportRecord(r, { tenant: "acme", importedAt: new Date(0) }));
    expect(plans.filter((p) => "skip" in p)).toEqual([]);
  });
});
