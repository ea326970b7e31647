/**
 * Every REST endpoint through app.request on in-memory stores (no services): validation, problems,
 * paging, export and erase, tenant isolation, auth, routing, the OpenAPI document and the rate
 * limit. The same app on the real stores: test/integration/api-http.test.ts, api-fuzz.test.ts.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../shared/app/create-app.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";
import { outage, withOutage } from "../../helpers/outage.js";

const api = inMemoryApi();
const acme = await api.tenant();
const globex = await api.tenant();

const store = (t: typeof acme, userId: string, body: object, headers: Record<string, string> = {}) =>
  t.call(`/v1/users/${userId}/conversations`, { method: "POST", json: body, headers });

describe("POST /v1/users/{userId}/conversations", () => {
  it("stores an exchange (201) and answers a retry with the same Idempotency-Key with the first answer (200)", async () => {
    const userId = uniqueId("u");
    const body = {
      userMessage: "My dog Pixel loves the beach.",
      botResponse: "Lovely!",
      metadata: { channel: "dm" },
    };
    const first = await store(acme, userId, body, { "idempotency-key": "m-1" });
    expect(first.status).toBe(201);
    const stored = (await first.json()) as { exchangeId: string; duplicate: boolean; userId: string };
    expect(stored).toMatchObject({ duplicate: false, userId });
    const retry = await store(acme, userId, body, { "idempotency-key": "m-1" });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ exchangeId: stored.exchangeId, duplicate: true });
    const page = (await (await acme.call(`/v1/users/${userId}/conversations`)).json()) as {
      items: unknown[];
    };
    expect(page.items).toHaveLength(1);
  });

  it.each([
    [
      "an empty exchange",
      { userMessage: " ", botResponse: "" },
      /userMessage and botResponse cannot both be empty/,
    ],
    ["a missing field", { userMessage: "hi" }, /botResponse/],
    ["a wrong type", { userMessage: 42, botResponse: "x" }, /userMessage: .*string/i],
    ["a bad timestamp", { userMessage: "a", botResponse: "b", timestamp: "yesterday" }, /timestamp/],
    ["a NUL character", { userMessage: "a\u0000b", botResponse: "b" }, /userMessage: must not contain NUL/],
    [
      "an unpaired surrogate",
      { userMessage: "a", botResponse: "\uD800" },
      /botResponse: must not contain NUL/,
    ],
    ["a blank speaker", { userMessage: "a", botResponse: "b", speaker: "  " }, /speaker: must not be blank/],
    [
      "NUL inside metadata",
      { userMessage: "a", botResponse: "b", metadata: { k: ["x\u0000"] } },
      /metadata: must not/,
    ],
  ])("answers %s with a precise 400 problem", async (_, body, message) => {
    const res = await store(acme, uniqueId("u"), body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { detail: string; requestId: string; status: number };
    expect(problem.status).toBe(400);
    expect(problem.detail).toMatch(message);
    expect(problem.requestId).toBeTruthy();
  });

  it("keeps who spoke: the listing shows the speaker and context items name them", async () => {
    const userId = uniqueId("u");
    const sent = {
      userMessage: "I finally finished my cello recital.",
      botResponse: "",
      speaker: "Caroline",
    };
    expect((await store(acme, userId, sent)).status).toBe(201);
    const page = (await (await acme.call(`/v1/users/${userId}/conversations`)).json()) as {
      items: { speaker?: string; userMessage: string }[];
    };
    expect(page.items).toEqual([
      expect.objectContaining({ speaker: "Caroline", userMessage: sent.userMessage }),
    ]);
    const context = (await (
      await acme.call(`/v1/users/${userId}/context`, {
        method: "POST",
        json: { query: "cello recital" },
      })
    ).json()) as { items: { text: string }[] };
    expect(context.items[0]?.text).toMatch(/^Caroline: I finally finished my cello recital\./);
  });

  it("answers malformed JSON and a bad user id with 400", async () => {
    const malformed = await acme.call(`/v1/users/${uniqueId("u")}/conversations`, {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    const badId = await store(acme, "bad%20id%3F", { userMessage: "a", botResponse: "b" });
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { detail: string }).detail).toMatch(/userId: must be 1-128 characters/);
  });

  it("answers a body over the limit with 413", async () => {
    const res = await store(acme, uniqueId("u"), { userMessage: "x".repeat(300_000), botResponse: "" });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/exceeds \d+ bytes/);
  });
});

describe("POST /v1/users/{userId}/context", () => {
  it("answers items, degraded and timings, with a Server-Timing header", async () => {
    const userId = uniqueId("u");
    await store(acme, userId, { userMessage: "My sister Ana surfs in Lisbon.", botResponse: "Nice!" });
    const res = await acme.call(`/v1/users/${userId}/context`, {
      method: "POST",
      json: { query: "Where does Ana surf?" },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { text: string }[]; degraded: string[]; timings: object };
    expect(body.items[0]?.text).toMatch(/Lisbon/);
    expect(body.degraded).toEqual([]);
    expect(Object.keys(body.timings).sort()).toEqual(["chroma", "neo4j", "postgres", "redis"]);
    expect(res.headers.get("server-timing")).toMatch(/postgres;dur=[\d.]+;desc="ok".*total;dur=/);
  });

  it("rejects out-of-range limits", async () => {
    const res = await acme.call(`/v1/users/${uniqueId("u")}/context`, {
      method: "POST",
      json: { query: "x", maxItems: 0 },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/maxItems/);
  });
});

describe("GET /v1/users/{userId}/conversations", () => {
  it("pages newest first with a cursor", async () => {
    const userId = uniqueId("u");
    for (let i = 0; i < 5; i++)
      await store(acme, userId, {
        userMessage: `m${i}`,
        botResponse: "ok",
        timestamp: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
      });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = (await (await acme.call(`/v1/users/${userId}/conversations${query}`)).json()) as {
        items: { userMessage: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((i) => i.userMessage));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["m4", "m3", "m2", "m1", "m0"]);
    const bad = await acme.call(`/v1/users/${userId}/conversations?cursor=garbage`);
    expect(bad.status).toBe(400);
  });
});

describe("export and erase", () => {
  it("exports a user, erases it (204, audited), then knows it no more (404)", async () => {
    const userId = uniqueId("u");
    await store(acme, userId, { userMessage: "I live in Porto.", botResponse: "Nice city." });
    const exported = await acme.call(`/v1/users/${userId}/export`);
    expect(exported.status).toBe(200);
    const data = (await exported.json()) as { userId: string; exchanges: unknown[] };
    expect(data.userId).toBe(userId);
    expect(JSON.stringify(data)).not.toContain(acme.tenantId);
    expect((await acme.call(`/v1/users/${userId}`, { method: "DELETE" })).status).toBe(204);
    expect((await acme.call(`/v1/users/${userId}/export`)).status).toBe(404);
    expect((await acme.call(`/v1/users/${userId}`, { method: "DELETE" })).status).toBe(404);
  });
});

describe("erase when a tier cannot be reached", () => {
  it("is accepted (202) naming the tier left to the worker, audited, and the worker finishes it", async () => {
    const graphDown = outage();
    const partial = inMemoryApi(
      {},
      { adapt: (s) => ({ ...s, graph: s.graph && withOutage(s.graph, ["deleteUser"], graphDown) }) },
    );
    const t = await partial.tenant();
    const userId = uniqueId("u");
    await t.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: "My sister Ana lives in Lisbon.", botResponse: "Nice." },
    });
    const res = await t.call(`/v1/users/${userId}`, { method: "DELETE" });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ erased: true, exchanges: 1, pending: ["neo4j"] });
    expect(partial.audits).toContainEqual(
      expect.objectContaining({
        event: "erase",
        via: "rest",
        tenantId: t.tenantId,
        keyId: t.key.slice(0, 15),
        requestId: expect.any(String),
        userId,
        exchanges: 1,
        pending: ["neo4j"],
      }),
    );
    expect((await t.call(`/v1/users/${userId}/conversations`)).status).toBe(404);
    graphDown.down = false;
    await partial.stores.erasures?.releaseAll();
    await partial.manager.reconcile();
    expect(await partial.stores.graph?.counts(`${t.tenantId}/${userId}`)).toEqual({ entities: 0, facts: 0 });
  });
});

describe("tenant isolation", () => {
  it("never lets another tenant read, list, export, correct or erase a user or one memory, whatever id or filter it sends", async () => {
    const userId = uniqueId("shared-name");
    const res = await store(acme, userId, { userMessage: "secret plans", botResponse: "ok" });
    const { exchangeId } = (await res.json()) as { exchangeId: string };
    await acme.call(`/v1/users/${userId}/notes`, { method: "POST", json: { text: "secret plans noted" } });
    for (const id of [userId, `${acme.tenantId}/${userId}`, `..%2F${acme.tenantId}%2F${userId}`]) {
      const one = `/v1/users/${id}/conversations/${exchangeId}`;
      const attempts = [
        globex.call(`/v1/users/${id}/context`, { method: "POST", json: { query: "secret plans" } }),
        globex.call(`/v1/users/${id}/conversations`),
        globex.call(`/v1/users/${id}/context`, {
          method: "POST",
          json: { query: "secret plans", filter: { "metadata.x": { $ne: 1 } } },
        }),
        globex.call(`/v1/users/${id}/conversations?filter=${encodeURIComponent('{"metadata.x":{"$ne":1}}')}`),
        globex.call(`/v1/users/${id}/export`),
        globex.call(`/v1/users/${id}`, { method: "DELETE" }),
        globex.call(`/v1/users/${id}/notes`),
        globex.call(one),
        globex.call(`${one}/versions`),
        globex.call(one, { method: "PATCH", json: { userMessage: "overwritten" } }),
        globex.call(one, { method: "DELETE" }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect([400, 404]).toContain(res.status);
        expect(await res.text()).not.toContain("secret plans");
      }
    }
    const own = (await (await acme.call(`/v1/users/${userId}/conversations`)).json()) as {
      items: { userMessage: string; version: number }[];
    };
    expect(own.items.map((e) => [e.userMessage, e.version]).sort()).toEqual([
      ["secret plans noted", 1],
      ["secret plans", 1],
    ]);
  });
});

describe("auth and routing", () => {
  it("refuses a missing, malformed, unknown or revoked key with 401", async () => {
    const path = `/v1/users/${uniqueId("u")}/conversations`;
    expect((await api.request(path)).status).toBe(401);
    expect((await api.request(path, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
    const forged = `hm_${acme.keyId}_${"A".repeat(43)}`;
    expect((await api.request(path, { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    const temp = await api.tenant();
    await api.keys.revoke(temp.keyId);
    // A fresh app has no cache of the key, so the revocation shows at once.
    const fresh = createApp(api.memory);
    const res = await fresh.request(path, { headers: { authorization: `Bearer ${temp.key}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers an unknown route with 404 and a wrong method with 405 and Allow", async () => {
    expect((await acme.call("/v2/anything")).status).toBe(404);
    const res = await acme.call(`/v1/users/${uniqueId("u")}/context`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("serves a valid OpenAPI 3.1 document describing every route", async () => {
    const doc = (await (await api.request("/openapi.json")).json()) as {
      openapi: string;
      paths: object;
    };
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const verdict = await validator.validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    expect(verdict.errors ?? [], JSON.stringify(verdict.errors)).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/v1/imports",
      "/v1/imports/{id}",
      "/v1/imports/{id}/errors",
      "/v1/users/{userId}",
      "/v1/users/{userId}/context",
      "/v1/users/{userId}/conversations",
      "/v1/users/{userId}/conversations/{id}",
      "/v1/users/{userId}/conversations/{id}/versions",
      "/v1/users/{userId}/export",
      "/v1/users/{userId}/notes",
      "/v1/users/{userId}/sessions",
      "/v1/webhooks",
      "/v1/webhooks/{id}",
      "/v1/webhooks/{id}/deliveries",
      "/v1/webhooks/{id}/deliveries/{deliveryId}/retry",
      "/v1/webhooks/{id}/ping",
      "/v1/webhooks/{id}/rotate-secret",
    ]);
  });

  it("gives client generators what they need: an operationId on every operation, servers and a license", async () => {
    const doc = (await (await api.request("/openapi.json")).json()) as {
      info: { license?: { name: string; identifier?: string } };
      servers?: { url: string }[];
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ at: `${method} ${path}`, id: op.operationId })),
    );
    expect(operations.filter((o) => !o.id).map((o) => o.at)).toEqual([]);
    expect(new Set(operations.map((o) => o.id)).size).toBe(operations.length);
    expect(operations.find((o) => o.at === "post /v1/users/{userId}/context")?.id).toBe(
      "getConversationContext",
    );
    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.info.license).toMatchObject({ name: expect.any(String), identifier: expect.any(String) });
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a key exceeds its limit", async () => {
    const limited = inMemoryApi({ HIERARCHICAL_MEMORY_RATE_LIMIT_PER_MINUTE: "3" });
    const t = await limited.tenant();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await t.call(`/v1/users/${uniqueId("u")}/conversations`)).status);
    expect(statuses.slice(0, 3)).toEqual([404, 404, 404]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const res = await t.call(`/v1/users/${uniqueId("u")}/conversations`);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("a store when the archive does not answer", () => {
  it("answers 503 with Retry-After within the store timeout, telling the client to retry with the same key", async () => {
    const hung = inMemoryApi(
      { HIERARCHICAL_MEMORY_STORE_TIMEOUT: "200" },
      {
        adapt: (s) => {
          const { archive } = s;
          if (!archive) return s;
          const insertExchange = () => new Promise<never>(() => undefined);
          return { ...s, archive: Object.assign(Object.create(archive), { insertExchange }) };
        },
      },
    );
    const t = await hung.tenant();
    const started = performance.now();
    const res = await t.call(`/v1/users/${uniqueId("u")}/conversations`, {
      method: "POST",
      json: { userMessage: "hello?", botResponse: "" },
      headers: { "idempotency-key": "k1" },
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(((await res.json()) as { detail: string }).detail).toBe(
      "postgres is unavailable; the store was not confirmed, retry with the same idempotency key",
    );
  });
});
