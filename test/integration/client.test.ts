/** The typed client against the real API server on the emulated stores. */
import { describe, expect, it } from "vitest";
import { MemoryApiError, MemoryClient } from "../../shared/client/index.js";
import { startApi } from "../helpers/api.js";
import { uniqueId } from "../helpers/memory.js";

const api = await startApi();
const { key } = await api.tenant();
const client = new MemoryClient({ baseUrl: api.base, apiKey: key });

describe("MemoryClient", () => {
  it("stores, retries idempotently, assembles context, pages, exports and erases", async () => {
    const userId = uniqueId("client");
    const first = await client.store(
      userId,
      { userMessage: "I adopted a dog named Pixel.", botResponse: "Yay!" },
      "k1",
    );
    const retry = await client.store(
      userId,
      { userMessage: "I adopted a dog named Pixel.", botResponse: "Yay!" },
      "k1",
    );
    expect(retry).toEqual({ ...first, duplicate: true, pending: [] });
    await client.store(userId, { userMessage: "I play the cello.", botResponse: "Lovely." });

    const context = await client.context(userId, { query: "What is my dog called?" });
    expect(context.items[0]?.text).toMatch(/Pixel/);

    const page = await client.conversations(userId, { limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const rest = await client.conversations(userId, { cursor: page.nextCursor ?? undefined });
    expect(rest.items.map((e) => e.id)).toEqual([first.exchangeId]);

    expect((await client.export(userId)).exchanges).toHaveLength(2);
    await client.erase(userId);
    expect((await client.context(userId, { query: "dog" })).items).toEqual([]);
  });

  it("stores in a session, lists the sessions, and reads one session's turns and context", async () => {
    const userId = uniqueId("client-sessions");
    await client.store(userId, {
      userMessage: "Ana lives in Lisbon.",
      botResponse: "Ok.",
      sessionId: "home",
    });
    await client.store(userId, { userMessage: "Ana lives in Porto.", botResponse: "Ok.", sessionId: "work" });
    const { sessions } = await client.sessions(userId);
    expect(sessions.map((s) => s.sessionId)).toEqual(["work", "home"]);
    const page = await client.conversations(userId, { sessionId: "home" });
    expect(page.items.map((e) => [e.userMessage, e.sessionId])).toEqual([["Ana lives in Lisbon.", "home"]]);
    const context = await client.context(userId, { query: "Where does Ana live?", sessionId: "work" });
    expect(context.items.map((i) => i.text).join(" ")).not.toContain("Lisbon");
    // As of a time before anything was stored, there is nothing to remember.
    const before = await client.context(userId, {
      query: "Where does Ana live?",
      asOf: "2000-01-01T00:00:00Z",
    });
    expect(before.items).toEqual([]);
  });

  it("lists and recalls with a metadata filter, and reports a bad one as a MemoryApiError", async () => {
    const userId = uniqueId("client-filter");
    await client.store(userId, {
      userMessage: "Ana lives in Lisbon.",
      botResponse: "Ok.",
      metadata: { topic: "family" },
    });
    await client.store(userId, {
      userMessage: "Ana lives in Porto.",
      botResponse: "Ok.",
      metadata: { topic: "work" },
    });
    const page = await client.conversations(userId, { filter: { "metadata.topic": { $in: ["family"] } } });
    expect(page.items.map((e) => e.userMessage)).toEqual(["Ana lives in Lisbon."]);
    const context = await client.context(userId, {
      query: "Where does Ana live?",
      filter: { "metadata.topic": "work" },
    });
    expect(context.items.map((i) => i.text).join(" ")).not.toContain("Lisbon");
    const bad = await client
      .conversations(userId, { filter: { "metadata.topic": { $gt: true } as never } })
      .catch((e: unknown) => e);
    expect((bad as MemoryApiError).problem.detail).toContain("a range needs a number or a string");
  });

  it("turns a problem answer into a MemoryApiError carrying the problem", async () => {
    const error = await client
      .store(uniqueId("client"), { userMessage: "", botResponse: "" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoryApiError);
    expect((error as MemoryApiError).status).toBe(400);
    expect((error as MemoryApiError).problem.detail).toMatch(/cannot both be empty/);
    const stranger = new MemoryClient({ baseUrl: api.base, apiKey: "hm_nope" });
    await expect(stranger.conversations("anyone")).rejects.toMatchObject({ status: 401 });
  });

  it("imports lines (objects and text), waits for the end, pages refused lines, and writes nothing twice", async () => {
    const userId = uniqueId("client-import");
    const lines = [
      { userId, userMessage: "I adopted a dog named Pixel.", botResponse: "Yay!", externalId: "m-1" },
      "{not json",
      { userId, kind: "note", text: "Prefers short answers." },
      { userMessage: "no user", botResponse: "x" },
    ];
    const started = await client.importLines(lines);
    expect(started).toMatchObject({ state: "running", format: "ndjson", source: "body" });
    const done = await client.waitForImport(started.id, { intervalMs: 50, timeoutMs: 60_000 });
    expect(done).toMatchObject({
      state: "completed",
      lines: { total: 4, done: 4, imported: 2, existing: 0, refused: 2 },
      error: null,
    });
    const first = await client.importErrors(started.id, { limit: 1 });
    expect(first).toMatchObject({
      errors: [{ line: 2, reason: expect.stringMatching(/JSON/) }],
      nextAfter: 2,
    });
    const rest = await client.importErrors(started.id, { after: first.nextAfter });
    expect(rest).toEqual({ errors: [{ line: 4, reason: expect.stringMatching(/userId/) }] });
    expect((await client.listImports({ limit: 5 })).map((i) => i.id)).toContain(started.id);
    expect((await client.getImport(started.id)).lines.imported).toBe(2);
    expect((await client.conversations(userId)).items).toHaveLength(2);

    // The same file as text: every line is already stored.
    const text = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
    const again = await client.waitForImport((await client.importLines(text)).id, { intervalMs: 50 });
    expect(again.lines).toMatchObject({ imported: 0, existing: 2, refused: 2 });
    expect((await client.conversations(userId)).items).toHaveLength(2);
  });

  it("imports a Mem0 export, and refuses what it cannot take with a MemoryApiError", async () => {
    const userId = uniqueId("client-mem0");
    const exported = [{ id: "a1", memory: "Lives in Porto", user_id: userId }];
    const done = await client.waitForImport((await client.importLines(exported, { format: "mem0" })).id, {
      intervalMs: 50,
    });
    expect(done).toMatchObject({ format: "mem0", state: "completed", lines: { imported: 1 } });
    expect((await client.notes(userId)).items.map((n) => n.text)).toEqual(["Lives in Porto"]);

    const refusals = [
      client.importLines("\n\n"),
      client.importFrom("/etc/passwd"),
      client.getImport("not-a-uuid"),
    ].map((p) => p.catch((e: unknown) => e));
    const [empty, outside, malformed] = (await Promise.all(refusals)) as MemoryApiError[];
    expect(empty).toBeInstanceOf(MemoryApiError);
    expect(empty?.problem).toMatchObject({ status: 400, detail: expect.stringMatching(/no lines/) });
    expect(outside?.problem.detail).toMatch(/^location: /);
    expect(malformed?.status).toBe(400);
    await expect(client.getImport(crypto.randomUUID())).rejects.toMatchObject({ status: 404 });
  });
});
