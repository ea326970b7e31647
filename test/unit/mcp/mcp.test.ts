/**
 * The MCP server at /mcp, driven by the official SDK client over Streamable HTTP (its fetch is
 * app.request) against the app on in-memory stores: every tool and the resource, checked against the
 * REST API's answers for the same data; no key and another tenant's key see nothing.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, describe, expect, it } from "vitest";
import { conversation } from "../../helpers/conversation.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";
import { withOutage } from "../../helpers/outage.js";

const api = inMemoryApi();
const alice = await api.tenant();
const mallory = await api.tenant();

async function connect(key?: string, on = api) {
  const client = new Client({ name: "memory-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL("http://memory.test/mcp"), {
    requestInit: key ? { headers: { authorization: `Bearer ${key}` } } : {},
    fetch: (url, init) => Promise.resolve(on.app.request(String(url), init)),
  });
  await client.connect(transport);
  return client;
}
const client = await connect(alice.key);
afterAll(() => client.close());

type ToolResult = {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: unknown;
};
const call = async (c: Client, name: string, args: Record<string, unknown>) =>
  (await c.callTool({ name, arguments: args })) as ToolResult;
const data = <T>(r: ToolResult) => r.structuredContent as T;
const errorText = (r: ToolResult) => (r.isError ? r.content[0]?.text : undefined);
const textOf = (contents: object[]) => String((contents[0] as { text?: string } | undefined)?.text);
const rest = async <T>(path: string, init: RequestInit & { json?: unknown } = {}) => {
  const res = await alice.call(path, init);
  return { status: res.status, body: (await res.json().catch(() => undefined)) as T };
};

describe("MCP tools", () => {
  const userId = uniqueId("mcp");

  it("lists the eleven tools, each with a description and an input schema", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        "correct_memory",
        "forget",
        "forget_memory",
        "get_memory",
        "list_notes",
        "list_sessions",
        "memory_health",
        "recall",
        "remember",
        "remember_note",
        "search_archive",
      ].sort(),
    );
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe("object");
    }
  });

  it("remembers exchanges and notes that the REST archive then lists", async () => {
    const ids: string[] = [];
    for (const [userMessage, botResponse] of conversation) {
      const r = await call(client, "remember", { userId, userMessage, botResponse });
      expect(errorText(r)).toBeUndefined();
      ids.push(data<{ exchangeId: string }>(r).exchangeId);
    }
    const note = await call(client, "remember", {
      userId,
      userMessage: "Prefers to be called Sam.",
      speaker: "Sam's sister",
    });
    ids.push(data<{ exchangeId: string }>(note).exchangeId);
    await api.manager.reconcile();
    const listed = await rest<{ items: { id: string; speaker?: string }[] }>(
      `/v1/users/${userId}/conversations?limit=50`,
    );
    expect(listed.body.items.map((i) => i.id)).toEqual([...ids].reverse());
    expect(listed.body.items.map((i) => i.speaker)).toEqual([
      "Sam's sister",
      ...conversation.map(() => undefined),
    ]);
  });

  it("recalls what the REST context endpoint returns for the same query", async () => {
    const query = "Where does my sister live?";
    const viaMcp = await call(client, "recall", { userId, query });
    const viaRest = await rest<{ items: { text: string; exchangeIds: string[] }[] }>(
      `/v1/users/${userId}/context`,
      { method: "POST", json: { query } },
    );
    const mcpItems = data<{
      items: { text: string; exchangeIds: string[]; source: string; timestamp: string }[];
    }>(viaMcp).items;
    expect(mcpItems.map((i) => i.exchangeIds)).toEqual(viaRest.body.items.map((i) => i.exchangeIds));
    expect(mcpItems[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(viaMcp.content[0]?.text).toContain("Lisbon");
  });

  it("pages the archive as the REST listing does, and searches it by words", async () => {
    const first = data<{ items: { id: string }[]; nextCursor: string }>(
      await call(client, "search_archive", { userId, limit: 4 }),
    );
    const second = data<{ items: { id: string }[]; nextCursor: null }>(
      await call(client, "search_archive", { userId, limit: 4, cursor: first.nextCursor }),
    );
    const listed = await rest<{ items: { id: string }[] }>(`/v1/users/${userId}/conversations?limit=50`);
    expect([...first.items, ...second.items].map((i) => i.id)).toEqual(listed.body.items.map((i) => i.id));
    expect(second.nextCursor).toBeNull();
    const hits = data<{ items: { userMessage: string }[] }>(
      await call(client, "search_archive", { userId, query: "cello" }),
    );
    expect(hits.items[0]?.userMessage).toContain("cello");
  });

  it("reads a user's recent conversation as a resource", async () => {
    const { contents } = await client.readResource({ uri: `memory://users/${userId}/recent` });
    const recent = JSON.parse(textOf(contents)) as { userMessage: string }[];
    expect(recent[0]?.userMessage).toBe("Prefers to be called Sam.");
    expect(recent).toHaveLength(6);
  });

  it("reports whether each tier answers, and nothing another tenant's traffic could show", async () => {
    const health = data<Record<string, unknown>>(await call(client, "memory_health", {}));
    expect(health).toEqual({
      status: "ok",
      tiers: [
        { tier: "redis", status: "ok" },
        { tier: "postgres", status: "ok" },
        { tier: "chroma", status: "ok" },
        { tier: "neo4j", status: "ok" },
      ],
    });
  });

  it("refuses bad input with the REST API's words, as tool errors", async () => {
    const empty = await call(client, "remember", { userId, userMessage: " ", botResponse: "" });
    const viaRest = await rest<{ detail: string }>(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: " ", botResponse: "" },
    });
    expect(viaRest.status).toBe(400);
    expect(errorText(empty)).toBe(viaRest.body.detail);
    expect(errorText(await call(client, "recall", { userId: uniqueId("nobody"), query: "hi" }))).toMatch(
      /^no memory of user nobody-/,
    );
    const badId = await client.callTool({ name: "recall", arguments: { userId: "no spaces", query: "hi" } });
    expect(badId.isError).toBe(true);
    expect(JSON.stringify(badId.content)).toMatch(/must be 1-128 characters/);
  });

  it("shows another tenant nothing and lets it erase nothing", async () => {
    const other = await connect(mallory.key);
    try {
      expect(errorText(await call(other, "recall", { userId, query: "sister" }))).toBe(
        `no memory of user ${userId}`,
      );
      expect(errorText(await call(other, "search_archive", { userId }))).toBe(`no memory of user ${userId}`);
      expect(errorText(await call(other, "forget", { userId, confirm: true }))).toBe(
        `no memory of user ${userId}`,
      );
      const { contents } = await other.readResource({ uri: `memory://users/${userId}/recent` });
      expect(JSON.parse(textOf(contents))).toEqual([]);
    } finally {
      await other.close();
    }
    expect((await rest(`/v1/users/${userId}/conversations`)).status).toBe(200);
  });

  it("forgets a user only with confirm: true, after which REST knows nothing of them", async () => {
    expect(errorText(await call(client, "forget", { userId, confirm: false }))).toBe(
      "confirm must be true to erase a user",
    );
    const erased = await call(client, "forget", { userId, confirm: true });
    expect(data<{ exchanges: number }>(erased).exchanges).toBe(6);
    expect((await rest(`/v1/users/${userId}/conversations`)).status).toBe(404);
  });
});

describe("MCP sessions and agents", () => {
  it("remembers with a session and agent, recalls and searches within one, and lists the sessions", async () => {
    const userId = uniqueId("mcp-threads");
    for (const [sessionId, city] of [
      ["home", "Lisbon"],
      ["work", "Porto"],
    ])
      await call(client, "remember", {
        userId,
        sessionId,
        agentId: "buddy",
        userMessage: `Ana lives in ${city}.`,
        botResponse: "Noted.",
      });
    const recalled = data<{ items: { text: string; sessionId?: string }[] }>(
      await call(client, "recall", { userId, query: "Where does Ana live?", sessionId: "home" }),
    );
    expect(recalled.items.length).toBeGreaterThan(0);
    expect(recalled.items.every((i) => i.sessionId === "home" && !i.text.includes("Porto"))).toBe(true);
    const found = data<{ items: { userMessage: string }[] }>(
      await call(client, "search_archive", { userId, query: "Ana", sessionId: "work" }),
    );
    expect(found.items.map((i) => i.userMessage)).toEqual(["Ana lives in Porto."]);
    const listed = data<{ sessions: { sessionId: string; agentIds: string[] }[] }>(
      await call(client, "list_sessions", { userId }),
    );
    expect(listed.sessions.map((s) => [s.sessionId, s.agentIds])).toEqual([
      ["work", ["buddy"]],
      ["home", ["buddy"]],
    ]);
    expect(errorText(await call(client, "list_sessions", { userId: uniqueId("nobody") }))).toMatch(
      /no memory of user/,
    );
    expect(errorText(await call(client, "remember", { userId, sessionId: "a b", userMessage: "x" }))).toMatch(
      /sessionId/,
    );
  });
});

describe("MCP filters", () => {
  it("recalls and searches only what a metadata filter selects, and refuses a bad filter precisely", async () => {
    const userId = uniqueId("mcp-filter");
    for (const [topic, city] of [
      ["family", "Lisbon"],
      ["work", "Porto"],
    ])
      await call(client, "remember", {
        userId,
        metadata: { topic },
        userMessage: `Ana lives in ${city}.`,
        botResponse: "Noted.",
      });
    const filter = { "metadata.topic": "family" };
    const recalled = data<{ items: { text: string }[] }>(
      await call(client, "recall", { userId, query: "Where does Ana live?", filter }),
    );
    expect(recalled.items.length).toBeGreaterThan(0);
    expect(recalled.items.every((i) => !i.text.includes("Porto"))).toBe(true);
    const found = data<{ items: { userMessage: string }[] }>(
      await call(client, "search_archive", { userId, query: "Ana", filter }),
    );
    expect(found.items.map((i) => i.userMessage)).toEqual(["Ana lives in Lisbon."]);
    const paged = data<{ items: { userMessage: string }[] }>(
      await call(client, "search_archive", { userId, filter: { "metadata.topic": { $ne: "family" } } }),
    );
    expect(paged.items.map((i) => i.userMessage)).toEqual(["Ana lives in Porto."]);
    expect(
      errorText(
        await call(client, "search_archive", { userId, filter: { "metadata.topic": { $like: "f" } } }),
      ),
    ).toMatch(/filter\.metadata\.topic\.\$like: unknown operator/);
  });
});

describe("MCP facts that change", () => {
  it("recalls what holds now, and with asOf what held then, each fact with its validity", async () => {
    const userId = uniqueId("mcp-facts");
    for (const [timestamp, userMessage] of [
      ["2025-01-10T12:00:00Z", "I live in Lisbon."],
      ["2025-03-01T12:00:00Z", "I moved to Porto last week."],
    ])
      expect(
        errorText(await call(client, "remember", { userId, userMessage, botResponse: "Ok.", timestamp })),
      ).toBeUndefined();
    await api.manager.reconcile();
    type Recalled = { items: { source: string; text: string; validFrom?: string; invalidAt?: string }[] };
    const graph = (r: ToolResult) => data<Recalled>(r).items.filter((i) => i.source === "graph");
    const now = await call(client, "recall", { userId, query: "Where do I live?" });
    expect(graph(now).map((i) => i.text)).toEqual(["User lives in Porto."]);
    const then = await call(client, "recall", {
      userId,
      query: "Where do I live?",
      asOf: "2025-02-01T00:00:00Z",
    });
    expect(graph(then)).toEqual([
      expect.objectContaining({ text: "User lives in Lisbon.", invalidAt: "2025-03-01T12:00:00.000Z" }),
    ]);
    expect(then.content[0]?.text).toContain("(until 2025-03-01T12:00:00.000Z)");
    expect(errorText(await call(client, "recall", { userId, query: "x", asOf: "yesterday" }))).toMatch(
      /asOf/,
    );
  });
});

describe("MCP failures", () => {
  it("answer an unexpected failure as a tool error that says nothing of it, and log its cause", async () => {
    const broken = inMemoryApi(
      {},
      {
        adapt: (stores) => {
          const error = new TypeError("cannot read properties of undefined (reading 'rows') at 10.0.0.7");
          const archive =
            stores.archive && withOutage(stores.archive, ["insertExchange"], { down: true, error });
          return { ...stores, archive };
        },
      },
    );
    const t = await broken.tenant();
    const c = await connect(t.key, broken);
    try {
      const r = await call(c, "remember", { userId: uniqueId("u"), userMessage: "hi", botResponse: "hello" });
      expect(errorText(r)).toBe("The server failed to handle the request; it has been logged.");
      expect(broken.logs.find((l) => l.message === "mcp tool failed")).toMatchObject({
        level: "error",
        status: 500,
        cause: expect.stringContaining("reading 'rows'"),
      });
    } finally {
      await c.close();
    }
  });
});

describe("MCP access", () => {
  it("refuses a client without an API key", async () => {
    await expect(connect()).rejects.toThrow(/401|Unauthorized|API key/i);
  });

  it("answers GET and DELETE with 405, as a stateless endpoint", async () => {
    const res = await alice.call("/mcp", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});
