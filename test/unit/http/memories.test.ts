/**
 * One memory at a time and notes (issue 18) through the REST API on in-memory stores: read, correct
 * (with versions), delete one exchange or note by id; store and list notes; scopes; and another
 * user's or tenant's id answering 404 like an unknown one. On the real stores:
 * test/integration/memories.test.ts.
 */
import { describe, expect, it } from "vitest";
import { MemoryClient } from "../../../shared/client/index.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

const api = inMemoryApi({
  HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0",
  HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY: "0",
});
const acme = await api.tenant();
const globex = await api.tenant();

type View = {
  id: string;
  kind: string;
  version: number;
  userMessage: string;
  botResponse: string;
  text?: string;
  source?: string;
  sessionId?: string;
  metadata: Record<string, unknown>;
};
const json = async <T>(res: Response) => (await res.json()) as T;
const base = (userId: string) => `/v1/users/${userId}`;

async function stored(userId: string, body: object = {}) {
  const res = await acme.call(`${base(userId)}/conversations`, {
    method: "POST",
    json: { userMessage: "My sister Ana lives in Lisbon.", botResponse: "Lovely city!", ...body },
  });
  expect(res.status).toBe(201);
  return (await json<{ exchangeId: string }>(res)).exchangeId;
}

describe("one exchange by id", () => {
  it("reads it with its kind and version", async () => {
    const userId = uniqueId("one");
    const id = await stored(userId, { sessionId: "s1" });
    const res = await acme.call(`${base(userId)}/conversations/${id}`);
    expect(res.status).toBe(200);
    expect(await json<View>(res)).toMatchObject({
      id,
      kind: "exchange",
      version: 1,
      userMessage: "My sister Ana lives in Lisbon.",
      sessionId: "s1",
    });
  });

  it("corrects it: answers the new version, keeps the earlier one with who and when, recomputes context", async () => {
    const userId = uniqueId("fix");
    const id = await stored(userId);
    await api.manager.reconcile();
    const res = await acme.call(`${base(userId)}/conversations/${id}`, {
      method: "PATCH",
      json: { userMessage: "My sister Ana moved to Porto.", sessionId: "s2", metadata: { fixed: true } },
    });
    expect(res.status).toBe(200);
    const answer = await json<{ memory: View; pending: string[] }>(res);
    expect(answer.memory).toMatchObject({
      id,
      version: 2,
      userMessage: "My sister Ana moved to Porto.",
      botResponse: "Lovely city!",
      sessionId: "s2",
      metadata: { fixed: true },
    });
    const versions = await json<{
      version: number;
      versions: { version: number; changedBy: string; userMessage: string }[];
    }>(await acme.call(`${base(userId)}/conversations/${id}/versions`));
    expect(versions.version).toBe(2);
    expect(versions.versions).toEqual([
      expect.objectContaining({
        version: 1,
        userMessage: "My sister Ana lives in Lisbon.",
        changedBy: expect.stringContaining(acme.keyId),
      }),
    ]);
    // The export holds the earlier versions too: they are data about the user.
    const exported = await json<{ versions: Record<string, { userMessage: string }[]> }>(
      await acme.call(`${base(userId)}/export`),
    );
    expect(exported.versions[id]?.map((v) => v.userMessage)).toEqual(["My sister Ana lives in Lisbon."]);
    await api.manager.reconcile();
    const context = await json<{ items: { text: string }[] }>(
      await acme.call(`${base(userId)}/context`, { method: "POST", json: { query: "Where does Ana live?" } }),
    );
    const texts = context.items.map((i) => i.text).join("\n");
    expect(texts).toContain("Porto");
    expect(texts).not.toContain("Lisbon");
  });

  it("clears an optional field with null, and refuses an empty or unknown correction", async () => {
    const userId = uniqueId("clear");
    const id = await stored(userId, { speaker: "Caroline", agentId: "bot-1" });
    const cleared = await acme.call(`${base(userId)}/conversations/${id}`, {
      method: "PATCH",
      json: { speaker: null, agentId: null },
    });
    const { memory } = await json<{ memory: View & { speaker?: string; agentId?: string } }>(cleared);
    expect(memory.speaker).toBeUndefined();
    expect(memory.agentId).toBeUndefined();
    for (const body of [
      {},
      { nonsense: 1 },
      { userMessage: "x".repeat(32_001) },
      { userMessage: "", botResponse: "" },
    ]) {
      const res = await acme.call(`${base(userId)}/conversations/${id}`, { method: "PATCH", json: body });
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    // A note's fields are not an exchange's.
    const wrong = await acme.call(`${base(userId)}/conversations/${id}`, {
      method: "PATCH",
      json: { text: "x" },
    });
    expect(wrong.status).toBe(400);
    expect((await json<{ detail: string }>(wrong)).detail).toMatch(/an exchange has no text/);
  });

  it("deletes it from every tier (204), after which it is a 404, audited", async () => {
    const userId = uniqueId("del");
    const keep = await stored(userId, { userMessage: "My brother Tom works in Berlin." });
    const id = await stored(userId);
    await api.manager.reconcile();
    const res = await acme.call(`${base(userId)}/conversations/${id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect((await acme.call(`${base(userId)}/conversations/${id}`)).status).toBe(404);
    expect((await acme.call(`${base(userId)}/conversations/${id}`, { method: "DELETE" })).status).toBe(404);
    expect(api.audits.at(-1)).toMatchObject({
      event: "erase-memory",
      via: "rest",
      memoryId: id,
      pending: [],
    });
    const list = await json<{ items: { id: string }[] }>(await acme.call(`${base(userId)}/conversations`));
    expect(list.items.map((e) => e.id)).toEqual([keep]);
    const exported = JSON.stringify(await json(await acme.call(`${base(userId)}/export`)));
    expect(exported).not.toContain("Lisbon");
    expect(exported).not.toContain(id);
  });

  it("answers 400 for a malformed id and 404 for an unknown one", async () => {
    const userId = uniqueId("ids");
    await stored(userId);
    for (const method of ["GET", "DELETE"]) {
      const bad = await acme.call(`${base(userId)}/conversations/not-a-uuid`, { method });
      expect(bad.status).toBe(400);
      const none = await acme.call(`${base(userId)}/conversations/${crypto.randomUUID()}`, { method });
      expect(none.status).toBe(404);
    }
  });
});

describe("isolation", () => {
  it("gives another user of the tenant and another tenant a 404 on GET, versions, PATCH and DELETE, changing nothing", async () => {
    const userId = uniqueId("mine");
    const id = await stored(userId);
    const calls = [
      { path: `conversations/${id}`, method: "GET" },
      { path: `conversations/${id}/versions`, method: "GET" },
      { path: `conversations/${id}`, method: "PATCH", json: { userMessage: "hijacked" } },
      { path: `conversations/${id}`, method: "DELETE" },
    ];
    const other = uniqueId("other");
    await stored(other);
    const unknown = await acme.call(`${base(userId)}/conversations/${crypto.randomUUID()}`);
    const unknownDetail = (await json<{ detail: string }>(unknown)).detail.replace(/[0-9a-f-]{36}/, "ID");
    for (const { path, ...init } of calls) {
      for (const [who, res] of [
        ["other user", await acme.call(`${base(other)}/${path}`, init)],
        ["other tenant", await globex.call(`${base(userId)}/${path}`, init)],
      ] as const) {
        expect(res.status, `${who} ${init.method} ${path}`).toBe(404);
        const detail = (await json<{ detail: string }>(res)).detail;
        // The same words as for an id that exists nowhere (only the user id differs for another user).
        expect(detail.replace(/[0-9a-f-]{36}/, "ID").replace(other, userId)).toBe(unknownDetail);
      }
    }
    const after = await json<View>(await acme.call(`${base(userId)}/conversations/${id}`));
    expect(after).toMatchObject({ version: 1, userMessage: "My sister Ana lives in Lisbon." });
  });

  it("needs the read, write and erase scopes for reading, correcting and deleting", async () => {
    const reader = await api.tenant({ scopes: ["read"] }, acme.tenantId);
    const userId = uniqueId("scoped");
    const id = await stored(userId);
    expect((await reader.call(`${base(userId)}/conversations/${id}`)).status).toBe(200);
    const patch = await reader.call(`${base(userId)}/conversations/${id}`, {
      method: "PATCH",
      json: { botResponse: "x" },
    });
    expect(patch.status).toBe(403);
    expect((await reader.call(`${base(userId)}/conversations/${id}`, { method: "DELETE" })).status).toBe(403);
    expect((await reader.call(`${base(userId)}/notes`, { method: "POST", json: { text: "x" } })).status).toBe(
      403,
    );
  });
});

describe("notes", () => {
  it("stores a note (once per idempotency key), lists notes only (by session or filter too), and reads it as a note", async () => {
    const userId = uniqueId("notes");
    await stored(userId);
    const post = (body: object, key?: string) =>
      acme.call(`${base(userId)}/notes`, {
        method: "POST",
        json: body,
        headers: key ? { "idempotency-key": key } : {},
      });
    const first = await post({ text: "Prefers tea over coffee.", source: "operator", sessionId: "s1" }, "n1");
    expect(first.status).toBe(201);
    const { exchangeId: id } = await json<{ exchangeId: string }>(first);
    const again = await post({ text: "Prefers tea over coffee.", source: "operator" }, "n1");
    expect(again.status).toBe(200);
    expect((await json<{ exchangeId: string }>(again)).exchangeId).toBe(id);
    await post({ text: "Has a cat called Miso." });
    const page = await json<{ items: View[]; nextCursor: string | null }>(
      await acme.call(`${base(userId)}/notes?limit=1`),
    );
    expect(page.items.map((n) => n.text)).toEqual(["Has a cat called Miso."]);
    expect(page.items[0]).toMatchObject({ kind: "note", source: "bot", botResponse: "" });
    const rest = await json<{ items: View[]; nextCursor: string | null }>(
      await acme.call(`${base(userId)}/notes?cursor=${page.nextCursor}`),
    );
    expect(rest.items.map((n) => [n.id, n.source, n.sessionId])).toEqual([[id, "operator", "s1"]]);
    expect(rest.nextCursor).toBeNull();
    const texts = async (query: string) =>
      (await json<{ items: View[] }>(await acme.call(`${base(userId)}/notes?${query}`))).items.map(
        (n) => n.text,
      );
    expect(await texts("sessionId=s1")).toEqual(["Prefers tea over coffee."]);
    const notFrom = encodeURIComponent(JSON.stringify({ createdAt: { $lt: "2000-01-01T00:00:00Z" } }));
    expect(await texts(`filter=${notFrom}`)).toEqual([]);
    expect((await acme.call(`${base(userId)}/notes?filter=%7Bx`)).status).toBe(400);
    for (const bad of [{}, { text: "   " }, { text: "x", source: "user" }])
      expect((await post(bad)).status).toBe(400);
  });

  it("appears in context as a note, is corrected by text and source, and deleted like an exchange", async () => {
    const userId = uniqueId("note-ctx");
    const res = await acme.call(`${base(userId)}/notes`, {
      method: "POST",
      json: { text: "Ana's cat is called Miso." },
    });
    const { exchangeId: id } = await json<{ exchangeId: string }>(res);
    await api.manager.reconcile();
    const ask = async () =>
      (
        await json<{ items: { text: string; source: string }[] }>(
          await acme.call(`${base(userId)}/context`, {
            method: "POST",
            json: { query: "What is Ana's cat called?" },
          }),
        )
      ).items;
    const before = await ask();
    expect(before.map((i) => i.text)).toContain("Note (bot): Ana's cat is called Miso.");
    expect(before.some((i) => i.text.includes("Assistant:"))).toBe(false);
    const wrong = await acme.call(`${base(userId)}/conversations/${id}`, {
      method: "PATCH",
      json: { botResponse: "x" },
    });
    expect(wrong.status).toBe(400);
    const fixed = await acme.call(`${base(userId)}/conversations/${id}`, {
      method: "PATCH",
      json: { text: "Ana's cat is called Luna.", source: "operator" },
    });
    expect((await json<{ memory: View }>(fixed)).memory).toMatchObject({
      text: "Ana's cat is called Luna.",
      source: "operator",
      version: 2,
    });
    await api.manager.reconcile();
    const after = (await ask()).map((i) => i.text).join("\n");
    expect(after).toContain("Note (operator): Ana's cat is called Luna.");
    expect(after).not.toContain("Miso");
    expect((await acme.call(`${base(userId)}/conversations/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await acme.call(`${base(userId)}/notes`)).status).toBe(404);
  });
});

describe("the typed client", () => {
  it("reads, corrects, lists versions, stores and lists notes, and forgets one memory", async () => {
    const client = new MemoryClient({
      baseUrl: "http://memory.test",
      apiKey: acme.key,
      fetch: (url, init) => Promise.resolve(api.app.request(String(url), init)),
    });
    const userId = uniqueId("client");
    const { exchangeId: id } = await client.store(userId, {
      userMessage: "I play the cello.",
      botResponse: "Lovely.",
    });
    expect(await client.memory(userId, id)).toMatchObject({ id, kind: "exchange", version: 1 });
    const { memory } = await client.correct(userId, id, { userMessage: "I play the viola." });
    expect(memory).toMatchObject({ version: 2, userMessage: "I play the viola." });
    expect((await client.versions(userId, id)).versions.map((v) => v.userMessage)).toEqual([
      "I play the cello.",
    ]);
    const note = await client.note(userId, { text: "Practises on Sundays." }, "n1");
    expect((await client.note(userId, { text: "Practises on Sundays." }, "n1")).exchangeId).toBe(
      note.exchangeId,
    );
    expect((await client.notes(userId)).items.map((n) => n.text)).toEqual(["Practises on Sundays."]);
    expect(await client.forget(userId, note.exchangeId)).toEqual({ pending: [] });
    await expect(client.memory(userId, note.exchangeId)).rejects.toMatchObject({ status: 404 });
  });
});
