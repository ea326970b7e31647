/**
 * No amplification (issue 17): limits are per tenant and come before costly work, unknown keys do
 * not reach the key store on every request, refused requests are not recorded, MCP takes one call
 * per request, and a body cannot nest or sprawl its way into a 500.
 */
import { describe, expect, it } from "vitest";
import { VerifiedKeys } from "../../../shared/api/verified-keys.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

describe("the rate limit", () => {
  it("is per tenant: a second key of the same tenant does not get a second allowance", async () => {
    const api = inMemoryApi({ HIERARCHICAL_MEMORY_RATE_LIMIT_PER_MINUTE: "3" });
    const first = await api.tenant();
    const { key } = await api.keys.create(first.tenantId, "second key");
    const second = (path: string) => api.request(path, {}, { authorization: `Bearer ${key}` });
    const statuses = [
      (await first.call(`/v1/users/${uniqueId("u")}/conversations`)).status,
      (await first.call(`/v1/users/${uniqueId("u")}/conversations`)).status,
      (await second(`/v1/users/${uniqueId("u")}/conversations`)).status,
      (await second(`/v1/users/${uniqueId("u")}/conversations`)).status,
    ];
    expect(statuses).toEqual([404, 404, 404, 429]);
    // Another tenant has its own allowance.
    const other = await api.tenant();
    expect((await other.call(`/v1/users/${uniqueId("u")}/conversations`)).status).toBe(404);
  });
});

describe("unknown keys", () => {
  it("are remembered as unknown for a while, so a flood of one bogus key asks the key store once", async () => {
    let asked = 0;
    const keys = new VerifiedKeys(async () => {
      asked++;
      return undefined;
    });
    const bogus = `hm_${"a".repeat(12)}_${"B".repeat(43)}`;
    for (let i = 0; i < 50; i++) expect(await keys.grantOf(bogus)).toBeUndefined();
    expect(asked).toBe(1);
  });
});

describe("traffic", () => {
  it("records served requests only: not 401s, not 404s", async () => {
    const api = inMemoryApi();
    const tenant = await api.tenant();
    const { key: operator } = await api.keys.createAdmin("ops");
    const total = async () => {
      await new Promise((r) => setTimeout(r, 10));
      const res = await api.request("/console/api/traffic", {}, { authorization: `Bearer ${operator}` });
      const { minutes } = (await res.json()) as { minutes: { requests: number }[] };
      return minutes.reduce((n, m) => n + m.requests, 0);
    };
    const before = await total();
    await api.request(`/v1/users/${uniqueId("u")}/conversations`);
    await api.request(`/v1/users/${uniqueId("u")}/conversations`, {}, { authorization: "Bearer hm_nope" });
    await tenant.call(`/v1/users/${uniqueId("u")}/conversations`);
    await api.request("/no/such/route");
    expect(await total()).toBe(before);
    await tenant.call(`/v1/users/${uniqueId("u")}/conversations`, {
      method: "POST",
      json: { userMessage: "hi", botResponse: "hello" },
    });
    expect(await total()).toBe(before + 1);
  });
});

describe("MCP", () => {
  it("refuses a JSON-RPC batch before running any of it", async () => {
    const api = inMemoryApi();
    const tenant = await api.tenant();
    const call = (id: number) => ({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "remember", arguments: { userId: "batch", userMessage: `m${id}` } },
    });
    const res = await tenant.call("/mcp", {
      method: "POST",
      json: Array.from({ length: 50 }, (_, i) => call(i)),
      headers: { accept: "application/json, text/event-stream" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/one JSON-RPC message per request/);
    expect(await api.stores.archive?.exchangeCount(`${tenant.tenantId}/batch`)).toBe(0);
  });
});

describe("request bodies", () => {
  /** Stores with `metadata` written out as JSON text (JSON.stringify itself overflows at 100,000 deep). */
  const storeRaw = async (metadata: string) => {
    const api = inMemoryApi();
    const tenant = await api.tenant();
    return tenant.call(`/v1/users/${uniqueId("u")}/conversations`, {
      method: "POST",
      body: `{"userMessage":"hi","botResponse":"hello","metadata":${metadata}}`,
      headers: { "content-type": "application/json" },
    });
  };
  const store = (metadata: unknown) => storeRaw(JSON.stringify(metadata));

  it("refuses metadata nested 100,000 deep with a 400, not a stack overflow", async () => {
    const depth = 100_000;
    const res = await storeRaw(`{"x":${"[".repeat(depth)}"bottom"${"]".repeat(depth)}}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/metadata: .*nested deeper than 16/);
  });

  it("refuses metadata with more than 1,000 keys and values", async () => {
    const wide = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i]));
    const res = await store(wide);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/metadata: .*more than 1000/);
  });

  it("takes metadata within both bounds", async () => {
    let nested: unknown = { ok: true };
    for (let i = 0; i < 14; i++) nested = { n: nested };
    expect((await store({ nested, list: Array.from({ length: 500 }, (_, i) => i) })).status).toBe(201);
  });
});
