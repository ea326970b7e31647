/**
 * Bulk import end to end on the emulation: the API on a real HTTP server, the import run in-process
 * (or held back, as the Step Functions runner leaves it, to erase a user before it runs). Native
 * NDJSON, OpenAI transcripts and a Mem0 export; refused lines reported by number; a re-import that
 * writes nothing twice; a file read from a location; tenants apart; limits; erasure stays final.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startApi } from "../helpers/api.js";
import { uniqueId } from "../helpers/memory.js";

const dir = mkdtempSync(join(tmpdir(), "hm-import-"));
const api = await startApi({
  HIERARCHICAL_MEMORY_IMPORT_LOCAL_DIRS: dir,
  HIERARCHICAL_MEMORY_IMPORT_BATCH_SIZE: "3",
  HIERARCHICAL_MEMORY_IMPORT_MAX_LINES: "50",
  HIERARCHICAL_MEMORY_IMPORT_MAX_BODY_BYTES: "20000",
});
const acme = await api.tenant();
const imports = api.memory.imports;
if (!imports) throw new Error("imports need Postgres");

interface ImportAnswer {
  id: string;
  state: string;
  lines: Record<string, number | null>;
  batches: { total: number | null; done: number };
  errors: { line: number; reason: string }[];
  validation: { sampled: number; matched: number; score: number } | null;
  error: string | null;
}

const ndjson = (rows: unknown[]) =>
  `${rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n")}\n`;

async function post(tenant: typeof acme, body: string, format = "ndjson", type = "application/x-ndjson") {
  return tenant.call(`/v1/imports?format=${format}`, {
    method: "POST",
    body,
    headers: { "content-type": type },
  });
}

/** Waits for the import this process runs, then reads it over HTTP. */
async function finished(tenant: typeof acme, response: Response): Promise<ImportAnswer> {
  expect(response.status, await response.clone().text()).toBe(202);
  const location = response.headers.get("location") ?? "";
  expect(location).toMatch(/^\/v1\/imports\/[0-9a-f-]{36}$/);
  await imports?.settled();
  const got = await tenant.call(location);
  expect(got.status).toBe(200);
  return (await got.json()) as ImportAnswer;
}

async function memoriesOf(tenant: typeof acme, userId: string) {
  const r = await tenant.call(`/v1/users/${userId}/conversations?limit=100`);
  return r.status === 404
    ? []
    : ((await r.json()) as { items: { userMessage: string; botResponse: string }[] }).items;
}

describe("native NDJSON", () => {
  const user = uniqueId("imp");
  const lines = ndjson([
    {
      userId: user,
      userMessage: "I adopted a cat named Bailey",
      botResponse: "Lovely!",
      timestamp: "2024-05-01T10:00:00Z",
    },
    {
      userId: user,
      userMessage: "She likes tuna",
      botResponse: "Noted.",
      timestamp: "2024-05-01T10:01:00Z",
      externalId: "m-2",
    },
    "{not json",
    { userMessage: "no user", botResponse: "x" },
    { userId: user, kind: "note", text: "Allergic to peanuts" },
    "",
    { userId: user, userMessage: "Moving to Lisbon in June", botResponse: "Exciting", sessionId: "s-1" },
  ]);

  it("imports the good lines, lists each bad one by number, and validates a sample", async () => {
    const answer = await finished(acme, await post(acme, lines));
    expect(answer).toMatchObject({
      state: "completed",
      lines: { total: 6, done: 6, imported: 4, existing: 0, erased: 0, refused: 2 },
      batches: { total: 2, done: 2 },
      error: null,
    });
    expect(answer.errors.map((e) => e.line)).toEqual([3, 4]);
    expect(answer.errors[0]?.reason).toMatch(/JSON/);
    expect(answer.errors[1]?.reason).toMatch(/userId/);
    expect(answer.validation).toMatchObject({ matched: answer.validation?.sampled, score: 1 });
    const stored = await memoriesOf(acme, user);
    expect(stored.map((m) => m.userMessage).sort()).toEqual([
      "Allergic to peanuts",
      "I adopted a cat named Bailey",
      "Moving to Lisbon in June",
      "She likes tuna",
    ]);
  });

  it("writes nothing twice when the same lines come again", async () => {
    const answer = await finished(acme, await post(acme, lines));
    expect(answer.lines).toMatchObject({ imported: 0, existing: 4, refused: 2 });
    expect(await memoriesOf(acme, user)).toHaveLength(4);
  });

  it("pages through refused lines", async () => {
    const bad = ndjson(
      Array.from({ length: 5 }, (_, i) => ({ userId: user, userMessage: i, botResponse: "x" })),
    );
    const answer = await finished(acme, await post(acme, bad));
    expect(answer.lines).toMatchObject({ refused: 5, imported: 0 });
    const first = await (await acme.call(`/v1/imports/${answer.id}/errors?limit=2`)).json();
    expect(first).toMatchObject({ errors: [{ line: 1 }, { line: 2 }], nextAfter: 2 });
    const last = await (await acme.call(`/v1/imports/${answer.id}/errors?after=4`)).json();
    expect(last).toEqual({ errors: [{ line: 5, reason: expect.stringMatching(/userMessage/) }] });
  });
});

describe("other formats", () => {
  it("imports OpenAI transcripts, pairing each user message with the reply", async () => {
    const user = uniqueId("oai");
    const transcript = {
      userId: user,
      id: "conv-1",
      messages: [
        { role: "system", content: "You are helpful." },
        { role: "user", content: "Recommend a sci-fi book" },
        { role: "assistant", content: "Try The Left Hand of Darkness." },
        { role: "user", content: [{ type: "text", text: "Something shorter?" }] },
        { role: "assistant", content: "Then The Lifecycle of Software Objects." },
      ],
    };
    const answer = await finished(acme, await post(acme, ndjson([transcript]), "openai"));
    expect(answer.lines).toMatchObject({ total: 1, imported: 2, refused: 0 });
    const stored = await memoriesOf(acme, user);
    expect(stored.map((m) => [m.userMessage, m.botResponse])).toContainEqual([
      "Something shorter?",
      "Then The Lifecycle of Software Objects.",
    ]);
  });

  it("imports a Mem0 export document as notes", async () => {
    const user = uniqueId("mem0");
    const exported = {
      results: [
        {
          id: "a1",
          memory: "Prefers vegetarian food",
          user_id: user,
          created_at: "2024-07-20T01:12:34.123456-07:00",
        },
        { id: "a2", memory: "Lives in Porto", user_id: user, categories: ["location"] },
        { id: "a3", memory: "no owner" },
      ],
    };
    const answer = await finished(
      acme,
      await post(acme, JSON.stringify(exported), "mem0", "application/octet-stream"),
    );
    expect(answer.lines).toMatchObject({ total: 3, imported: 2, refused: 1 });
    expect(answer.errors[0]?.line).toBe(3);
    expect((await memoriesOf(acme, user)).map((m) => m.userMessage).sort()).toEqual([
      "Lives in Porto",
      "Prefers vegetarian food",
    ]);
  });
});

describe("a file read from a location", () => {
  it("imports a file in an allowed directory", async () => {
    const user = uniqueId("file");
    const path = join(dir, "history.ndjson");
    writeFileSync(
      path,
      ndjson(
        Array.from({ length: 7 }, (_, i) => ({ userId: user, userMessage: `line ${i}`, botResponse: "ok" })),
      ),
    );
    const r = await acme.call("/v1/imports", { method: "POST", json: { location: path } });
    const answer = await finished(acme, r);
    expect(answer).toMatchObject({
      state: "completed",
      lines: { total: 7, imported: 7 },
      batches: { total: 3 },
    });
  });

  it("refuses a path outside the allowed directories, and any URL when none is allowed", async () => {
    for (const location of ["/etc/passwd", "relative.ndjson", "http://169.254.169.254/latest/meta-data"]) {
      const r = await acme.call("/v1/imports", { method: "POST", json: { location } });
      expect(r.status, location).toBe(400);
      expect(r.headers.get("content-type")).toBe("application/problem+json");
      expect(((await r.json()) as { detail: string }).detail).toMatch(/^location: /);
    }
  });
});

describe("the edge", () => {
  it("keeps tenants apart: another tenant neither sees the import nor reads its users", async () => {
    const other = await api.tenant();
    const user = uniqueId("iso");
    const answer = await finished(
      acme,
      await post(acme, ndjson([{ userId: user, userMessage: "secret", botResponse: "x" }])),
    );
    expect((await other.call(`/v1/imports/${answer.id}`)).status).toBe(404);
    expect((await other.call(`/v1/imports/${answer.id}/errors`)).status).toBe(404);
    expect(((await (await other.call("/v1/imports")).json()) as { imports: unknown[] }).imports).toEqual([]);
    expect(await memoriesOf(other, user)).toEqual([]);
  });

  it("refuses what it cannot take with a problem naming the limit", async () => {
    const tooMany = ndjson(
      Array.from({ length: 51 }, () => ({ userId: "u", userMessage: "m", botResponse: "r" })),
    );
    const cases: [Response, number, RegExp][] = [
      [await post(acme, "x".repeat(20_001)), 413, /exceeds 20000 bytes/],
      [await post(acme, tooMany), 400, /51 lines, more than allowed \(50\)/],
      [await post(acme, "\n\n"), 400, /no lines/],
      [await post(acme, "{}", "csv"), 400, /format/],
      [await post(acme, "{}", "ndjson", "application/xml"), 415, /content type/],
      [
        await acme.call("/v1/imports", { method: "POST", json: { location: "/tmp/x", extra: 1 } }),
        400,
        /extra/,
      ],
    ];
    for (const [r, status, detail] of cases) {
      expect(r.status).toBe(status);
      expect(((await r.json()) as { detail: string }).detail).toMatch(detail);
    }
    const bad = await acme.call("/v1/imports/not-a-uuid");
    expect(bad.status).toBe(400);
  });

  it("needs the write scope to start an import", async () => {
    const { key } = await api.keys.create(acme.tenantId, "reader", { scopes: ["read"] });
    const r = await fetch(`${api.base}/v1/imports`, {
      method: "POST",
      body: "{}",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/x-ndjson" },
    });
    expect(r.status).toBe(403);
  });
});

const held = await startApi({
  HIERARCHICAL_MEMORY_IMPORT_RUNNER: "step-functions",
  HIERARCHICAL_MEMORY_IMPORT_MAX_ACTIVE: "1",
});

describe("held for a runner (the Step Functions runner)", () => {
  it("lets a tenant run only as many imports as allowed, and never brings back a user erased meanwhile", async () => {
    const tenant = await held.tenant();
    const manager = held.memory.imports;
    if (!manager) throw new Error("imports need Postgres");
    const gone = uniqueId("gone");
    const kept = uniqueId("kept");
    const stored = await tenant.call(`/v1/users/${gone}/conversations`, {
      method: "POST",
      json: { userMessage: "before", botResponse: "x" },
    });
    expect(stored.status).toBe(201);
    const r = await post(
      tenant,
      ndjson([
        { userId: gone, userMessage: "my address is 1 Main St", botResponse: "ok" },
        { userId: kept, userMessage: "hello", botResponse: "hi" },
      ]),
    );
    expect(r.status).toBe(202);
    const { id } = (await r.json()) as ImportAnswer;
    const second = await post(tenant, ndjson([{ userId: kept, userMessage: "again", botResponse: "x" }]));
    expect(second.status).toBe(409);
    expect(((await second.json()) as { detail: string }).detail).toMatch(
      /1 imports running, as many as allowed \(1\)/,
    );

    expect([202, 204]).toContain((await tenant.call(`/v1/users/${gone}`, { method: "DELETE" })).status);
    await manager.run(id);
    const answer = (await (await tenant.call(`/v1/imports/${id}`)).json()) as ImportAnswer;
    expect(answer).toMatchObject({ state: "completed", lines: { imported: 1, erased: 1 } });
    expect(await memoriesOf(tenant, gone)).toEqual([]);
    expect((await memoriesOf(tenant, kept)).map((m) => m.userMessage)).toEqual(["hello"]);
  });
});
