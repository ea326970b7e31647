/**
 * Operators (issue 17): tenant and operator keys carry scopes (read, write, erase) and can expire;
 * every route of REST, MCP and the console checks the scope it needs, before it reads the body;
 * console actions are audited with the key id.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { parseExpiry, parseScopes } from "../../../infra/cli/key-options.js";
import { UsageError } from "../../../infra/cli/run-cli.js";
import type { KeyScope } from "../../../shared/domain/scopes.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

const api = inMemoryApi();
const tenantId = uniqueId("scoped").toLowerCase();
const keyWith = (scopes: KeyScope[]) => api.tenant({ scopes }, tenantId);
const userId = "ana";
const store = { method: "POST", json: { userMessage: "I live in Porto", botResponse: "Noted." } };
const ask = { method: "POST", json: { query: "where do I live?" } };

/** Each REST route with the scope it needs. */
const routes: [string, KeyScope, string, RequestInit & { json?: unknown }][] = [
  ["store", "write", `/v1/users/${userId}/conversations`, store],
  ["context", "read", `/v1/users/${userId}/context`, ask],
  ["list", "read", `/v1/users/${userId}/conversations`, {}],
  ["export", "read", `/v1/users/${userId}/export`, {}],
  ["erase", "erase", `/v1/users/${userId}`, { method: "DELETE" }],
];

describe("a REST route", () => {
  it.each(routes)("%s needs %s: 403 naming it without, served with it", async (_, scope, path, init) => {
    const others = (["read", "write", "erase"] as const).filter((s) => s !== scope);
    const without = await keyWith([...others]);
    const refused = await without.call(path, init);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(((await refused.json()) as { detail: string }).detail).toBe(
      `this API key lacks the ${scope} scope`,
    );
    const writer = await keyWith(["write"]);
    expect((await writer.call(`/v1/users/${userId}/conversations`, store)).status).toBe(201);
    const allowed = await keyWith([scope]);
    expect((await allowed.call(path, init)).status).toBeLessThan(300);
  });

  it("refuses a missing scope before it reads the body", async () => {
    const reader = await keyWith(["read"]);
    const res = await reader.call(`/v1/users/${userId}/conversations`, { method: "POST", body: "{not json" });
    expect(res.status).toBe(403);
  });

  it("keeps keys made without scopes able to do everything", async () => {
    const full = await api.tenant();
    expect((await api.keys.list(full.tenantId))[0]?.scopes).toEqual(["read", "write", "erase"]);
    for (const [, , path, init] of routes) expect((await full.call(path, init)).status).toBeLessThan(300);
  });
});

describe("an expiring key", () => {
  it("works until its expiry, then answers 401 at once, even from the cache", async () => {
    const soon = await api.tenant({ expiresAt: new Date(Date.now() + 300) });
    expect((await soon.call(`/v1/users/${userId}/conversations`, store)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 320));
    expect((await soon.call(`/v1/users/${userId}/conversations`, store)).status).toBe(401);
  });

  it("cannot be made already expired, nor with no scope or an unknown one", async () => {
    await expect(api.keys.create(tenantId, "k", { expiresAt: new Date(Date.now() - 1) })).rejects.toThrow(
      /expiresAt must be in the future/,
    );
    await expect(api.keys.create(tenantId, "k", { scopes: [] })).rejects.toThrow(/scopes must be/);
    await expect(api.keys.create(tenantId, "k", { scopes: ["admin" as KeyScope] })).rejects.toThrow(
      /scopes must be/,
    );
  });
});

describe("MCP tools", () => {
  const connect = async (key: string) => {
    const client = new Client({ name: "scope-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL("http://memory.test/mcp"), {
        requestInit: { headers: { authorization: `Bearer ${key}` } },
        fetch: (url, init) => Promise.resolve(api.app.request(String(url), init)),
      }),
    );
    return client;
  };
  const errorOf = async (client: Client, name: string, args: Record<string, unknown>) => {
    const r = (await client.callTool({ name, arguments: args })) as {
      isError?: boolean;
      content: { text: string }[];
    };
    return r.isError ? r.content[0]?.text : undefined;
  };

  it("check the scope each needs: a read-only key recalls but cannot remember or forget", async () => {
    const userId = "mcp-user";
    await (await keyWith(["write"])).call(`/v1/users/${userId}/conversations`, store);
    const reader = await connect((await keyWith(["read"])).key);
    try {
      expect(await errorOf(reader, "recall", { userId, query: "where?" })).toBeUndefined();
      expect(await errorOf(reader, "remember", { userId, userMessage: "x", botResponse: "y" })).toBe(
        "this API key lacks the write scope",
      );
      expect(await errorOf(reader, "forget", { userId, confirm: true })).toBe(
        "this API key lacks the erase scope",
      );
    } finally {
      await reader.close();
    }
    const writer = await connect((await keyWith(["write"])).key);
    try {
      expect(await errorOf(writer, "recall", { userId, query: "where?" })).toBe(
        "this API key lacks the read scope",
      );
    } finally {
      await writer.close();
    }
  });
});

describe("the console", () => {
  const operator = async (scopes: KeyScope[]) => {
    const { key, info } = await api.keys.createAdmin("ops", { scopes });
    const call = (path: string, init: RequestInit = {}) =>
      api.request(path, init, { authorization: `Bearer ${key}` });
    return { call, keyId: info.id };
  };

  it("lets a read-only operator look, not act or erase", async () => {
    const looker = await operator(["read"]);
    expect((await looker.call("/console/api/tiers")).status).toBe(200);
    expect((await looker.call("/console/api/tiers/test", { method: "POST" })).status).toBe(403);
    const erase = await looker.call(`/console/api/users/${tenantId}/${userId}`, {
      method: "DELETE",
      headers: { "x-confirm-erase": userId },
    });
    expect(erase.status).toBe(403);
    expect(((await erase.json()) as { detail: string }).detail).toBe("this API key lacks the erase scope");
  });

  it("audits each action with the operator key's id", async () => {
    const ops = await operator(["read", "write", "erase"]);
    const writer = await keyWith(["write"]);
    await writer.call("/v1/users/bo/conversations", store);
    expect((await ops.call("/console/api/tiers/test", { method: "POST" })).status).toBe(200);
    const erased = await ops.call(`/console/api/users/${tenantId}/bo`, {
      method: "DELETE",
      headers: { "x-confirm-erase": "bo" },
    });
    expect(erased.status).toBe(200);
    const mine = api.audits.filter((e) => e.keyId === `hm_${ops.keyId}`);
    expect(mine.map((e) => [e.event, e.via])).toEqual([
      ["tier-test", "console"],
      ["erase", "console"],
    ]);
    expect(mine[0]?.requestId).toEqual(expect.any(String));
  });
});

describe("the keys CLI's flags", () => {
  const now = new Date("2026-12-01T00:00:00Z");

  it("parse scopes and expiry, and refuse anything else with a usage error", () => {
    expect(parseScopes("read, erase")).toEqual(["read", "erase"]);
    expect(parseExpiry("90d", now).toISOString()).toBe("2027-03-01T00:00:00.000Z");
    expect(parseExpiry("12h", now).toISOString()).toBe("2026-12-01T12:00:00.000Z");
    expect(parseExpiry("2027-01-31T00:00:00Z", now).toISOString()).toBe("2027-01-31T00:00:00.000Z");
    for (const bad of ["", "admin", "read,root"]) expect(() => parseScopes(bad)).toThrow(UsageError);
    for (const bad of ["soon", "90", "2026-11-30T00:00:00Z", "0d"])
      expect(() => parseExpiry(bad, now)).toThrow(UsageError);
  });
});
