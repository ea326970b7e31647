/**
 * The console's API on in-memory stores: only operator keys open it (and they open nothing else),
 * it reads tiers, traffic, migration progress and a user's footprint, and erases only when the user
 * id is typed again. The page in a real browser: test/integration/console.test.ts.
 */
import { describe, expect, it } from "vitest";
import { legacyRecords } from "../../../infra/local/legacy-fixture.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";
import { recordingTransport } from "../../helpers/webhooks.js";
import { InMemoryLegacySource } from "../../in-memory/index.js";

const hooks = recordingTransport();
const api = inMemoryApi({}, { webhookTransport: hooks.transport });
const { key: operatorKey } = await api.keys.createAdmin("console test");
const tenant = await api.tenant();
const asOperator = (path: string, init: RequestInit = {}) =>
  api.request(path, init, { authorization: `Bearer ${operatorKey}` });

describe("console access", () => {
  it("serves the page with a strict content security policy", async () => {
    const res = await api.request("/console");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<title>Hierarchical Memory · Console</title>");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect((await api.request("/console/app.js")).headers.get("content-type")).toMatch(/javascript/);
  });

  it("opens its API to operator keys only, and operator keys open nothing else", async () => {
    expect((await api.request("/console/api/tiers")).status).toBe(401);
    expect((await tenant.call("/console/api/tiers")).status).toBe(403);
    expect((await asOperator("/console/api/tiers")).status).toBe(200);
    expect((await asOperator("/v1/users/x/conversations")).status).toBe(403);
    expect((await asOperator("/mcp", { method: "POST" })).status).toBe(403);
  });
});

describe("console views", () => {
  it("shows each tier's health and runs the connectivity test", async () => {
    const tiers = (await (await asOperator("/console/api/tiers")).json()) as { tiers: { tier: string }[] };
    expect(tiers.tiers.map((t) => t.tier).sort()).toEqual(["chroma", "neo4j", "postgres", "redis"]);
    const test = (await (await asOperator("/console/api/tiers/test", { method: "POST" })).json()) as {
      results: { tier: string; ok: boolean }[];
    };
    expect(test.results.every((r) => r.ok)).toBe(true);
  });

  it("counts API traffic per minute, context latencies apart, and not its own polling", async () => {
    const userId = uniqueId("traffic");
    await tenant.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: "I like tea.", botResponse: "Noted." },
    });
    await tenant.call(`/v1/users/${userId}/context`, { method: "POST", json: { query: "tea" } });
    await asOperator("/console/api/tiers");
    // Recording does not hold up the answer: give the in-memory log its turn.
    await new Promise((r) => setTimeout(r, 10));
    const { minutes, recording } = (await (await asOperator("/console/api/traffic")).json()) as {
      minutes: { requests: number; context: { count: number } }[];
      recording: boolean;
    };
    expect(recording).toBe(true);
    expect(minutes).toHaveLength(60);
    const total = minutes.reduce((n, m) => n + m.requests, 0);
    const contexts = minutes.reduce((n, m) => n + m.context.count, 0);
    expect(contexts).toBe(1);
    // Every request of this file so far went through tenant keys or the operator's console calls;
    // only the tenant's (and the unauthenticated /console ones above) are traffic.
    expect(total).toBeGreaterThanOrEqual(2);
    const before = total;
    await asOperator("/console/api/tiers");
    await new Promise((r) => setTimeout(r, 10));
    const again = (await (await asOperator("/console/api/traffic")).json()) as {
      minutes: { requests: number }[];
    };
    expect(again.minutes.reduce((n, m) => n + m.requests, 0)).toBe(before);
  });

  it("shows migration runs with their progress", async () => {
    const source = new InMemoryLegacySource([...legacyRecords(60, 3)]);
    const report = await api.memory.migrationFrom(source, { tenant: "legacy" }).migrateAllConversations({
      batchSize: 25,
    });
    const { runs } = (await (await asOperator("/console/api/migrations")).json()) as {
      runs: {
        id: string;
        state: string;
        recordsDone: number;
        recordsTotal: number;
        batchesTotal: number;
        batchesDone: number;
      }[];
    };
    expect(runs.find((r) => r.id === report.runId)).toMatchObject({
      state: "completed",
      recordsDone: 60,
      recordsTotal: 60,
      // Batches per collection: user memories and global facts each end in a partial one.
      batchesTotal: report.batches.total,
      batchesDone: report.batches.total,
    });
    expect(report.batches.total).toBeGreaterThanOrEqual(3);
  });

  it("looks a user up in every tier, exports them, and erases them only when the id is typed again", async () => {
    const userId = uniqueId("lookup");
    await tenant.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: "My sister Ana lives in Lisbon.", botResponse: "Lovely!" },
    });
    await api.manager.reconcile();
    const path = `/console/api/users/${tenant.tenantId}/${userId}`;
    const found = (await (await asOperator(path)).json()) as { tiers: Record<string, unknown> };
    expect(found.tiers).toMatchObject({
      postgres: { exchanges: 1 },
      redis: { recentMessages: 1 },
      chroma: { summaries: 1 },
    });
    const exported = (await (await asOperator(`${path}/export`)).json()) as { exchanges: unknown[] };
    expect(exported.exchanges).toHaveLength(1);
    expect(api.audits).toContainEqual(
      expect.objectContaining({ event: "export", via: "console", tenant: tenant.tenantId, userId }),
    );

    const unconfirmed = await asOperator(path, { method: "DELETE" });
    expect(unconfirmed.status).toBe(400);
    const wrong = await asOperator(path, {
      method: "DELETE",
      headers: { "x-confirm-erase": "someone-else" },
    });
    expect(wrong.status).toBe(400);
    const erased = await asOperator(path, { method: "DELETE", headers: { "x-confirm-erase": userId } });
    expect(await erased.json()).toEqual({ erased: true, exchanges: 1, pending: [] });
    expect(api.audits).toContainEqual(
      expect.objectContaining({ event: "erase", via: "console", keyId: operatorKey.slice(0, 15), userId }),
    );
    expect((await tenant.call(`/v1/users/${userId}/conversations`)).status).toBe(404);
  });

  it("lists every tenant's webhook endpoints with their latest delivery, never a secret nor a query string", async () => {
    const res = await tenant.call("/v1/webhooks", {
      method: "POST",
      json: { url: "https://hooks.example.com/in?token=abc123", events: ["user.erased", "tier.degraded"] },
    });
    const { id, secret } = (await res.json()) as { id: string; secret: string };
    hooks.answerWith(() => 503);
    await tenant.call(`/v1/webhooks/${id}/ping`, { method: "POST" });
    const view = await (await asOperator("/console/api/webhooks")).text();
    expect(view).not.toContain(secret.slice(6));
    expect(view).not.toContain("abc123");
    const { endpoints, incidents, recording } = JSON.parse(view) as {
      endpoints: Record<string, unknown>[];
      incidents: unknown[];
      recording: boolean;
    };
    expect(recording).toBe(true);
    expect(incidents).toEqual([]);
    expect(endpoints.find((e) => e.id === id)).toEqual({
      id,
      tenant: tenant.tenantId,
      target: "https://hooks.example.com/in",
      events: ["user.erased", "tier.degraded"],
      includeText: false,
      enabled: true,
      disabledReason: null,
      lastDelivery: { at: expect.any(String), status: "failed", responseStatus: 503, error: "HTTP 503" },
      failureStreak: 1,
      pending: 1,
    });
    expect((await tenant.call("/console/api/webhooks")).status).toBe(403);
  });

  it("refuses a malformed tenant or user id with a precise 400", async () => {
    const res = await asOperator("/console/api/users/Bad_Tenant/alice");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/tenant: must be a tenant id/);
  });
});
