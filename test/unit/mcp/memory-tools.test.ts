/**
 * The MCP tools for one memory at a time and notes (issue 18), driven by the SDK client against the
 * app on in-memory stores: each answers as the REST route does, needs its scope, and another
 * tenant's key gets the same "no memory" as for an unknown id.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

const api = inMemoryApi({ HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY: "0" });
const alice = await api.tenant();
const mallory = await api.tenant();
const readOnly = await api.tenant({ scopes: ["read"] }, alice.tenantId);

async function connect(key: string) {
  const client = new Client({ name: "memory-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL("http://memory.test/mcp"), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
    fetch: (url, init) => Promise.resolve(api.app.request(String(url), init)),
  });
  await client.connect(transport);
  return client;
}
const clients = {
  alice: await connect(alice.key),
  mallory: await connect(mallory.key),
  reader: await connect(readOnly.key),
};
afterAll(() => Promise.all(Object.values(clients).map((c) => c.close())));

type ToolResult = { isError?: boolean; content: { text: string }[]; structuredContent?: unknown };
const call = async (who: keyof typeof clients, name: string, args: Record<string, unknown>) =>
  (await clients[who].callTool({ name, arguments: args })) as ToolResult;
const data = <T>(r: ToolResult) => {
  if (r.isError) throw new Error(r.content[0]?.text);
  return r.structuredContent as T;
};
const errorText = (r: ToolResult) => (r.isError ? r.content[0]?.text : undefined);

describe("MCP memory tools", () => {
  it("remembers a note, lists notes, reads, corrects (with versions) and forgets one memory", async () => {
    const userId = uniqueId("mcp-one");
    const { exchangeId: id } = data<{ exchangeId: string }>(
      await call("alice", "remember_note", { userId, text: "Prefers tea.", source: "operator" }),
    );
    await call("alice", "remember", { userId, userMessage: "Hello", botResponse: "Hi" });
    const notes = data<{ items: { id: string; text: string }[] }>(
      await call("alice", "list_notes", { userId }),
    );
    expect(notes.items.map((n) => [n.id, n.text])).toEqual([[id, "Prefers tea."]]);
    const fixed = data<{ memory: { version: number; text: string } }>(
      await call("alice", "correct_memory", { userId, id, text: "Prefers green tea." }),
    );
    expect(fixed.memory).toMatchObject({ version: 2, text: "Prefers green tea." });
    const read = data<{ memory: { version: number }; versions: { version: number; changedBy: string }[] }>(
      await call("alice", "get_memory", { userId, id, versions: true }),
    );
    expect(read.memory.version).toBe(2);
    expect(read.versions).toEqual([
      expect.objectContaining({ version: 1, changedBy: expect.stringMatching(/^mcp:/) }),
    ]);
    // The REST API answers the same memory.
    const viaRest = (await (await alice.call(`/v1/users/${userId}/conversations/${id}`)).json()) as {
      text: string;
    };
    expect(viaRest.text).toBe("Prefers green tea.");
    expect(errorText(await call("alice", "forget_memory", { userId, id, confirm: false }))).toMatch(
      /confirm/,
    );
    expect(data(await call("alice", "forget_memory", { userId, id, confirm: true }))).toMatchObject({
      erased: true,
    });
    expect(api.audits.at(-1)).toMatchObject({ event: "erase-memory", via: "mcp", memoryId: id });
    expect(errorText(await call("alice", "get_memory", { userId, id }))).toMatch(/no memory/);
  });

  it("refuses a malformed id or correction, and another tenant's or a read-only key's attempts", async () => {
    const userId = uniqueId("mcp-guard");
    const { exchangeId: id } = data<{ exchangeId: string }>(
      await call("alice", "remember", { userId, userMessage: "My cat is Miso.", botResponse: "Cute!" }),
    );
    expect(errorText(await call("alice", "get_memory", { userId, id: "nope" }))).toMatch(/UUID/);
    expect(errorText(await call("alice", "correct_memory", { userId, id }))).toMatch(/at least one field/);
    const unknown = errorText(await call("alice", "get_memory", { userId, id: crypto.randomUUID() }));
    for (const [tool, args] of [
      ["get_memory", { userId, id }],
      ["correct_memory", { userId, id, userMessage: "hijacked" }],
      ["forget_memory", { userId, id, confirm: true }],
    ] as const) {
      const theirs = errorText(await call("mallory", tool, args));
      expect(theirs?.replace(id, "ID")).toBe(unknown?.replace(/[0-9a-f-]{36}/, "ID"));
    }
    expect(errorText(await call("reader", "correct_memory", { userId, id, userMessage: "x" }))).toMatch(
      /write/,
    );
    expect(errorText(await call("reader", "forget_memory", { userId, id, confirm: true }))).toMatch(/erase/);
    expect(errorText(await call("reader", "remember_note", { userId, text: "x" }))).toMatch(/write/);
    const still = data<{ memory: { userMessage: string; version: number } }>(
      await call("alice", "get_memory", { userId, id }),
    );
    expect(still.memory).toMatchObject({ userMessage: "My cat is Miso.", version: 1 });
  });
});
