/**
 * Webhook endpoints and deliveries through the REST API (and the typed client) on in-memory stores,
 * with a transport that answers as each test says: validation as problem+json, scopes, the secret
 * shown once, rotation, the test ping, the deliveries listing, and one tenant never seeing nor
 * touching another's endpoints. Over real HTTP and Postgres: test/integration/webhooks.test.ts.
 */
import { isIP } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryApiError, MemoryClient, verifyWebhook } from "../../../shared/client/index.js";
import { webhookEventTypes } from "../../../shared/domain/webhooks.js";
import { isAllowedAddress } from "../../../shared/memory/webhooks/url-policy.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";
import { recordingTransport } from "../../helpers/webhooks.js";

const hooks = recordingTransport();
const api = inMemoryApi(
  { HIERARCHICAL_MEMORY_WEBHOOK_RETRY_BASE: "1", HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP: "2" },
  { webhookTransport: hooks.transport },
);
const acme = await api.tenant();
const globex = await api.tenant();
const json = async <T>(res: Response) => (await res.json()) as T;
const client = (key: string) =>
  new MemoryClient({
    baseUrl: "http://memory.test",
    apiKey: key,
    fetch: (url, init) => Promise.resolve(api.app.request(String(url), init)),
  });

type Endpoint = { id: string; url: string; events: string[]; secret?: string; enabled: boolean };
const register = async (body: object = {}) => {
  const res = await acme.call("/v1/webhooks", {
    method: "POST",
    json: { url: "https://hooks.example.com/memory", events: ["user.erased"], ...body },
  });
  expect(res.status).toBe(201);
  return json<Endpoint>(res);
};

describe("registering endpoints", () => {
  it("answers the endpoint with its secret once; reads never show it", async () => {
    const res = await acme.call("/v1/webhooks", {
      method: "POST",
      json: {
        url: "https://Hooks.Example.com/memory",
        events: ["user.erased", "tier.degraded", "user.erased"],
        description: "erasures",
        degradedAfterMinutes: 10,
      },
    });
    expect(res.status).toBe(201);
    const created = await json<Endpoint & Record<string, unknown>>(res);
    expect(created).toMatchObject({
      url: "https://hooks.example.com/memory",
      events: ["user.erased", "tier.degraded"],
      description: "erasures",
      includeText: false,
      degradedAfterMinutes: 10,
      enabled: true,
      disabledReason: null,
      lastDelivery: { at: null, status: null, responseStatus: null, error: null },
      failureStreak: 0,
      secret: expect.stringMatching(/^whsec_/),
    });
    const read = await json<Record<string, unknown>>(await acme.call(`/v1/webhooks/${created.id}`));
    expect(read).not.toHaveProperty("secret");
    const { endpoints } = await json<{ endpoints: Endpoint[] }>(await acme.call("/v1/webhooks"));
    expect(endpoints.map((e) => e.id)).toContain(created.id);
    expect(JSON.stringify(endpoints)).not.toContain(created.secret?.slice(6));
  });

  it("refuses what is not a public https:// endpoint or a known event, as problem+json naming the field", async () => {
    for (const [body, detail] of [
      [{ url: "http://hooks.example.com/h", events: ["user.erased"] }, /^url: must be an https:\/\//],
      [
        { url: "https://169.254.169.254/latest", events: ["user.erased"] },
        /^url: 169\.254\.169\.254 is not a public address/,
      ],
      [{ url: "https://localhost/h", events: ["user.erased"] }, /^url: must not point at this machine/],
      [
        { url: "https://db.internal/h", events: ["user.erased"] },
        /^url: db\.internal is not a public host name/,
      ],
      [{ url: "https://hooks.example.com/h", events: [] }, /^events: /],
      [{ url: "https://hooks.example.com/h", events: ["user.created"] }, /^events\.0: /],
      [
        { url: "https://hooks.example.com/h", events: ["user.erased"], degradedAfterMinutes: 99999 },
        /^degradedAfterMinutes: /,
      ],
      [{ url: "https://hooks.example.com/h", events: ["user.erased"], secret: "mine" }, /secret/],
    ] as const) {
      const res = await acme.call("/v1/webhooks", { method: "POST", json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/application\/problem\+json/);
      expect((await json<{ detail: string }>(res)).detail, JSON.stringify(body)).toMatch(detail);
    }
  });

  it("changes an endpoint, and refuses a change to a private address", async () => {
    const { id } = await register();
    const res = await acme.call(`/v1/webhooks/${id}`, {
      method: "PATCH",
      json: { events: ["memory.corrected"], includeText: true, enabled: false },
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      events: ["memory.corrected"],
      includeText: true,
      enabled: false,
    });
    const bad = await acme.call(`/v1/webhooks/${id}`, {
      method: "PATCH",
      json: { url: "https://10.0.0.1/h" },
    });
    expect(bad.status).toBe(400);
    expect((await acme.call(`/v1/webhooks/${id}`, { method: "PATCH", json: {} })).status).toBe(400);
  });

  it("deletes an endpoint", async () => {
    const { id } = await register();
    expect((await acme.call(`/v1/webhooks/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await acme.call(`/v1/webhooks/${id}`)).status).toBe(404);
    expect((await acme.call(`/v1/webhooks/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("answers 404 for an unknown endpoint and 400 for one that is not an id", async () => {
    expect((await acme.call(`/v1/webhooks/${crypto.randomUUID()}`)).status).toBe(404);
    const bad = await acme.call("/v1/webhooks/not-an-id");
    expect(bad.status).toBe(400);
    expect((await json<{ detail: string }>(bad)).detail).toMatch(/^id: must be a webhook endpoint id/);
  });

  it("keeps a tenant to 20 endpoints", async () => {
    const t = await api.tenant();
    for (let i = 0; i < 20; i++)
      await t.call("/v1/webhooks", {
        method: "POST",
        json: { url: "https://h.example.com/x", events: ["user.erased"] },
      });
    const res = await t.call("/v1/webhooks", {
      method: "POST",
      json: { url: "https://h.example.com/x", events: ["user.erased"] },
    });
    expect(res.status).toBe(409);
  });
});

describe("keys", () => {
  it("looking needs the read scope; changing needs read and write; operator keys open nothing here", async () => {
    const reader = await api.tenant({ scopes: ["read"] }, acme.tenantId);
    const writer = await api.tenant({ scopes: ["write"] }, acme.tenantId);
    const { id } = await register();
    expect((await reader.call("/v1/webhooks")).status).toBe(200);
    expect((await reader.call(`/v1/webhooks/${id}/deliveries`)).status).toBe(200);
    const refused = await reader.call("/v1/webhooks", {
      method: "POST",
      json: { url: "https://hooks.example.com/h", events: ["user.erased"] },
    });
    expect(refused.status).toBe(403);
    expect((await json<{ detail: string }>(refused)).detail).toMatch(/write scope/);
    expect((await writer.call(`/v1/webhooks/${id}`, { method: "DELETE" })).status).toBe(403);
    expect((await writer.call("/v1/webhooks")).status).toBe(403);
    expect((await api.request("/v1/webhooks")).status).toBe(401);
    const { key } = await api.keys.createAdmin("console");
    expect((await api.request("/v1/webhooks", {}, { authorization: `Bearer ${key}` })).status).toBe(403);
  });
});

describe("tenant isolation", () => {
  it("never shows nor lets another tenant touch an endpoint or its deliveries", async () => {
    const { id } = await register({ events: ["user.erased"] });
    await acme.call(`/v1/webhooks/${id}/ping`, { method: "POST" });
    const [delivery] = (
      await json<{ deliveries: { id: string }[] }>(await acme.call(`/v1/webhooks/${id}/deliveries`))
    ).deliveries;
    const { endpoints } = await json<{ endpoints: Endpoint[] }>(await globex.call("/v1/webhooks"));
    expect(endpoints.map((e) => e.id)).not.toContain(id);
    for (const [path, method, body] of [
      [`/v1/webhooks/${id}`, "GET"],
      [`/v1/webhooks/${id}`, "PATCH", { enabled: false }],
      [`/v1/webhooks/${id}`, "DELETE"],
      [`/v1/webhooks/${id}/rotate-secret`, "POST", {}],
      [`/v1/webhooks/${id}/ping`, "POST"],
      [`/v1/webhooks/${id}/deliveries`, "GET"],
      [`/v1/webhooks/${id}/deliveries/${delivery?.id}/retry`, "POST"],
    ] as const) {
      const res = await globex.call(path, { method, json: body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const still = await json<Endpoint>(await acme.call(`/v1/webhooks/${id}`));
    expect(still.enabled).toBe(true);
    // Another tenant's erasure reaches only that tenant's endpoints.
    const sent = hooks.received.length;
    await globex.call("/v1/users/someone/conversations", {
      method: "POST",
      json: { userMessage: "hi", botResponse: "hello" },
    });
    await globex.call("/v1/users/someone", { method: "DELETE" });
    await api.manager.reconcile();
    expect(hooks.received.slice(sent).filter((r) => r.event.type === "user.erased")).toEqual([]);
  });
});

describe("secrets, pings and deliveries", () => {
  it("rotates the secret: the new one is answered once, the old one signs until its grace ends", async () => {
    const first = await register();
    const res = await acme.call(`/v1/webhooks/${first.id}/rotate-secret`, {
      method: "POST",
      json: { keepPreviousForSeconds: 600 },
    });
    expect(res.status).toBe(200);
    const rotated = await json<Endpoint & { previousSecretExpiresAt: string }>(res);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(first.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 590_000);
    const sent = hooks.received.length;
    await acme.call(`/v1/webhooks/${first.id}/ping`, { method: "POST" });
    const got = hooks.received[sent];
    for (const secret of [first.secret, rotated.secret])
      await verifyWebhook(secret ?? "", got?.body ?? "", got?.headers ?? {});
    const noBody = await acme.call(`/v1/webhooks/${first.id}/rotate-secret`, { method: "POST" });
    expect(noBody.status).toBe(200);
  });

  it("pings an endpoint and answers the attempt's outcome; a disabled endpoint is refused", async () => {
    const { id, secret } = await register();
    const res = await acme.call(`/v1/webhooks/${id}/ping`, { method: "POST" });
    expect(res.status).toBe(200);
    const ping = await json<{ eventType: string; status: string; payload: { data: unknown } }>(res);
    expect(ping).toMatchObject({
      eventType: "webhook.ping",
      status: "delivered",
      attempts: 1,
      responseStatus: 204,
    });
    expect(ping.payload).toMatchObject({ type: "webhook.ping", data: { endpointId: id } });
    const last = hooks.received.at(-1);
    expect((await verifyWebhook(secret ?? "", last?.body ?? "", last?.headers ?? {})).type).toBe(
      "webhook.ping",
    );
    await acme.call(`/v1/webhooks/${id}`, { method: "PATCH", json: { enabled: false } });
    expect((await acme.call(`/v1/webhooks/${id}/ping`, { method: "POST" })).status).toBe(409);
  });

  it("lists deliveries newest first, by page and by status, and sends one again", async () => {
    const { id } = await register();
    hooks.answerWith((n) => (n % 2 === 0 ? 500 : 204));
    for (let i = 0; i < 5; i++) await acme.call(`/v1/webhooks/${id}/ping`, { method: "POST" });
    hooks.answerWith(() => 204);
    type Page = { deliveries: { id: string; status: string; error: string | null }[]; nextCursor?: string };
    const first = await json<Page>(await acme.call(`/v1/webhooks/${id}/deliveries?limit=3`));
    expect(first.deliveries).toHaveLength(3);
    const second = await json<Page>(
      await acme.call(`/v1/webhooks/${id}/deliveries?limit=3&cursor=${first.nextCursor}`),
    );
    expect(second.deliveries).toHaveLength(2);
    expect(second.nextCursor).toBeUndefined();
    expect(new Set([...first.deliveries, ...second.deliveries].map((d) => d.id)).size).toBe(5);
    const pending = await json<Page>(await acme.call(`/v1/webhooks/${id}/deliveries?status=pending`));
    expect(pending.deliveries.length).toBeGreaterThan(0);
    expect(pending.deliveries.every((d) => d.status === "pending" && d.error === "HTTP 500")).toBe(true);
    const again = await acme.call(`/v1/webhooks/${id}/deliveries/${pending.deliveries[0]?.id}/retry`, {
      method: "POST",
    });
    expect(await json(again)).toMatchObject({ status: "delivered", attempts: 1 });
    expect((await acme.call(`/v1/webhooks/${id}/deliveries?cursor=nonsense`)).status).toBe(400);
    expect(
      (await acme.call(`/v1/webhooks/${id}/deliveries/${crypto.randomUUID()}/retry`, { method: "POST" }))
        .status,
    ).toBe(404);
  });
});

describe("the typed client", () => {
  it("manages endpoints and reads deliveries", async () => {
    const c = client(acme.key);
    const created = await c.createWebhook({
      url: "https://hooks.example.com/client",
      events: ["import.completed"],
    });
    expect(created.secret).toMatch(/^whsec_/);
    expect((await c.listWebhooks()).map((e) => e.id)).toContain(created.id);
    expect((await c.getWebhook(created.id)).url).toBe("https://hooks.example.com/client");
    expect((await c.updateWebhook(created.id, { description: "imports" })).description).toBe("imports");
    expect(
      (await c.rotateWebhookSecret(created.id, { keepPreviousForSeconds: 0 })).previousSecretExpiresAt,
    ).toBeNull();
    const ping = await c.pingWebhook(created.id);
    expect(ping.status).toBe("delivered");
    const page = await c.webhookDeliveries(created.id, { limit: 1 });
    expect(page.deliveries.map((d) => d.id)).toEqual([ping.id]);
    expect((await c.retryWebhookDelivery(created.id, ping.id)).status).toBe("delivered");
    await c.deleteWebhook(created.id);
    await expect(c.getWebhook(created.id)).rejects.toBeInstanceOf(MemoryApiError);
  });
});

describe("whatever a client sends", () => {
  const privateUrls = fc.constantFrom(
    "https://10.1.2.3/h",
    "https://[::1]/h",
    "https://169.254.169.254/latest",
    "http://hooks.example.com/h",
    "https://localhost:8080/h",
    "https://metadata.google.internal/",
    "https://0x0a000001/h",
    "https://user:pw@hooks.example.com/h",
    "javascript:alert(1)",
  );
  const body = fc.record(
    {
      url: fc.oneof(fc.webUrl({ withQueryParameters: true }), privateUrls, fc.string({ maxLength: 50 })),
      events: fc.array(fc.oneof(fc.constantFrom(...webhookEventTypes), fc.string({ maxLength: 20 })), {
        maxLength: 4,
      }),
      description: fc.oneof(fc.string({ maxLength: 600 }), fc.integer()),
      includeText: fc.oneof(fc.boolean(), fc.string({ maxLength: 5 })),
      degradedAfterMinutes: fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.double()),
      enabled: fc.boolean(),
    },
    { requiredKeys: [] },
  );

  it("never answers 5xx, and registers only https:// endpoints on public addresses", {
    timeout: 60_000,
  }, async () => {
    const t = await api.tenant();
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        const res = await t.call("/v1/webhooks", { method: "POST", json: sent });
        expect(res.status).toBeLessThan(500);
        if (res.status !== 201) return;
        const { id, url } = await json<{ id: string; url: string }>(res);
        const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
        expect(url.startsWith("https://")).toBe(true);
        expect(isIP(host) === 0 ? host.includes(".") : isAllowedAddress(host, { allowLoopback: false })).toBe(
          true,
        );
        expect((await t.call(`/v1/webhooks/${id}`, { method: "DELETE" })).status).toBe(204);
      }),
      { numRuns: 150 },
    );
  });

  it("never answers 5xx to any id or cursor, nor reaches another tenant's endpoint", {
    timeout: 60_000,
  }, async () => {
    const theirs = await register();
    const t = await api.tenant();
    const idLike = fc.oneof(fc.string({ maxLength: 40 }), fc.uuid(), fc.constant(theirs.id));
    await fc.assert(
      fc.asyncProperty(idLike, fc.string({ maxLength: 60 }), async (id, cursor) => {
        const path = `/v1/webhooks/${encodeURIComponent(id)}`;
        for (const [method, suffix] of [
          ["GET", ""],
          ["PATCH", ""],
          ["DELETE", ""],
          ["POST", "/ping"],
          ["POST", "/rotate-secret"],
          ["GET", `/deliveries?cursor=${encodeURIComponent(cursor)}`],
        ] as const) {
          const res = await t.call(`${path}${suffix}`, {
            method,
            json: method === "PATCH" ? { enabled: false } : undefined,
          });
          expect(res.status, `${method} ${path}${suffix}`).toBeLessThan(500);
          expect([200, 201, 204]).not.toContain(res.status);
        }
      }),
      { numRuns: 60 },
    );
    expect(await json(await acme.call(`/v1/webhooks/${theirs.id}`))).toMatchObject({ enabled: true });
  });
});
