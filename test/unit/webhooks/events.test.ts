/**
 * What the memory reports to webhooks, on in-memory stores: ids, counts and times only unless an
 * endpoint opted in to text; an erase (of a user or one memory) takes away what was queued about
 * it; a finished migration; a tier failing longer than an endpoint's threshold, reported once, and
 * its recovery.
 */
import { describe, expect, it } from "vitest";
import { legacyRecords } from "../../../infra/local/legacy-fixture.js";
import type { WebhookDelivery } from "../../../shared/domain/webhooks.js";
import { WebhookDispatcher } from "../../../shared/memory/webhooks/dispatcher.js";
import { WebhookEmitter } from "../../../shared/memory/webhooks/emitter.js";
import { WebhookService } from "../../../shared/memory/webhooks/service.js";
import type { TierConnectivity } from "../../../shared/tiers/probe.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi, recordingLogger } from "../../helpers/in-memory-api.js";
import { recordingTransport } from "../../helpers/webhooks.js";
import { createInMemoryStores, InMemoryLegacySource } from "../../in-memory/index.js";

const secretText = ["My cat Bailey is afraid of the vacuum.", "Poor Bailey!", "Bailey hides under the bed."];

function setUp() {
  const hooks = recordingTransport();
  const api = inMemoryApi(
    { HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0", HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY: "0" },
    { webhookTransport: hooks.transport },
  );
  const webhooks = api.memory.webhooks;
  if (!webhooks) throw new Error("no webhooks without Postgres");
  return { api, hooks, webhooks };
}

const bodies = (deliveries: readonly WebhookDelivery[]) => deliveries.map((d) => d.payload).join("\n");

describe("event payloads", () => {
  it("carry ids, counts and times, never text, unless the endpoint opted in", async () => {
    const { api, hooks, webhooks } = setUp();
    const t = await api.tenant();
    const events = ["memory.corrected", "memory.deleted", "user.erased"] as const;
    const plain = await webhooks.create(t.tenantId, {
      url: "https://hooks.example.com/plain",
      events: [...events],
    });
    const texts = await webhooks.create(t.tenantId, {
      url: "https://hooks.example.com/text",
      events: [...events],
      includeText: true,
    });
    const userId = uniqueId("u");
    const stored = await t.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: secretText[0], botResponse: secretText[1] },
    });
    const { exchangeId } = (await stored.json()) as { exchangeId: string };
    // Each delivered before the next step: an erase takes away what is still queued about the user.
    await t.call(`/v1/users/${userId}/conversations/${exchangeId}`, {
      method: "PATCH",
      json: { userMessage: secretText[2] },
    });
    await api.manager.reconcile();
    await t.call(`/v1/users/${userId}/conversations/${exchangeId}`, { method: "DELETE" });
    await api.manager.reconcile();
    await t.call(`/v1/users/${userId}`, { method: "DELETE" });
    await api.manager.reconcile();

    const to = (url: string) => hooks.received.filter((r) => r.url === url).map((r) => r.event);
    expect(to(plain.endpoint.url).map((e) => e.type)).toEqual([
      "memory.corrected",
      "memory.deleted",
      "user.erased",
    ]);
    for (const text of secretText) expect(JSON.stringify(to(plain.endpoint.url))).not.toContain(text);
    expect(to(plain.endpoint.url)).toEqual([
      {
        type: "memory.corrected",
        timestamp: expect.any(String),
        data: { userId, memoryId: exchangeId, kind: "exchange", version: 2, correctedAt: expect.any(String) },
      },
      {
        type: "memory.deleted",
        timestamp: expect.any(String),
        data: { userId, memoryId: exchangeId, kind: "exchange", deletedAt: expect.any(String) },
      },
      {
        type: "user.erased",
        timestamp: expect.any(String),
        data: { userId, exchanges: 0, erasedAt: expect.any(String) },
      },
    ]);
    // Opted in: the corrected text, and still nothing of a deleted memory.
    const [corrected, deleted] = to(texts.endpoint.url);
    expect(corrected?.data).toMatchObject({ userMessage: secretText[2], botResponse: secretText[1] });
    expect(JSON.stringify(deleted)).not.toContain("Bailey");
  });
});

describe("erasure is final for webhooks too", () => {
  it("erasing a user takes away every delivery still queued about them, text included", async () => {
    const { api, hooks, webhooks } = setUp();
    const t = await api.tenant();
    const { endpoint } = await webhooks.create(t.tenantId, {
      url: "https://hooks.example.com/text",
      events: ["memory.corrected", "user.erased"],
      includeText: true,
    });
    const userId = uniqueId("u");
    const res = await t.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: secretText[0], botResponse: secretText[1] },
    });
    const { exchangeId } = (await res.json()) as { exchangeId: string };
    await t.call(`/v1/users/${userId}/conversations/${exchangeId}`, {
      method: "PATCH",
      json: { userMessage: secretText[2] },
    });
    const queued = await webhooks.deliveries(t.tenantId, endpoint.id, { limit: 10 });
    expect(queued.map((d) => [d.eventType, d.status])).toEqual([["memory.corrected", "pending"]]);
    expect(bodies(queued)).toContain(secretText[2]);

    expect((await t.call(`/v1/users/${userId}`, { method: "DELETE" })).status).toBe(204);
    const left = await webhooks.deliveries(t.tenantId, endpoint.id, { limit: 10 });
    expect(left.map((d) => d.eventType)).toEqual(["user.erased"]);
    for (const text of secretText) expect(bodies(left)).not.toContain(text);
    await api.manager.reconcile();
    expect(hooks.received.map((r) => r.event.type)).toEqual(["user.erased"]);
    for (const text of secretText) expect(JSON.stringify(hooks.received)).not.toContain(text);
  });

  it("deleting one memory takes away the deliveries carrying its text", async () => {
    const { api, webhooks } = setUp();
    const t = await api.tenant();
    const { endpoint } = await webhooks.create(t.tenantId, {
      url: "https://hooks.example.com/text",
      events: ["memory.corrected", "memory.deleted"],
      includeText: true,
    });
    const userId = uniqueId("u");
    const ids: string[] = [];
    for (const text of secretText.slice(0, 2)) {
      const res = await t.call(`/v1/users/${userId}/notes`, { method: "POST", json: { text } });
      ids.push(((await res.json()) as { exchangeId: string }).exchangeId);
    }
    for (const id of ids)
      await t.call(`/v1/users/${userId}/conversations/${id}`, {
        method: "PATCH",
        json: { text: `${secretText[2]} ${id}` },
      });
    await t.call(`/v1/users/${userId}/conversations/${ids[0]}`, { method: "DELETE" });
    const left = await webhooks.deliveries(t.tenantId, endpoint.id, { limit: 10 });
    expect(left.map((d) => d.eventType).sort()).toEqual(["memory.corrected", "memory.deleted"]);
    expect(bodies(left)).not.toContain(`${secretText[2]} ${ids[0]}`);
    expect(bodies(left)).toContain(`${secretText[2]} ${ids[1]}`);
  });

  it("a correction reported after its user was erased leaves no text queued", async () => {
    const { api, webhooks } = setUp();
    const t = await api.tenant();
    const { endpoint } = await webhooks.create(t.tenantId, {
      url: "https://hooks.example.com/text",
      events: ["memory.corrected"],
      includeText: true,
    });
    const userId = uniqueId("u");
    await t.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: secretText[0], botResponse: secretText[1] },
    });
    const [exchange] = await api.manager.recentConversations(`${t.tenantId}/${userId}`, 1);
    await api.manager.deleteUser(`${t.tenantId}/${userId}`);
    // The correction committed before the erase; its report comes after the erase's sweep.
    if (exchange) await api.memory.events.memoryCorrected({ ...exchange, version: 2 });
    expect(await webhooks.deliveries(t.tenantId, endpoint.id, { limit: 10 })).toEqual([]);
  });
});

describe("migration events", () => {
  it("report a finished run to the migration tenant's endpoints, with counts only", async () => {
    const { api, hooks, webhooks } = setUp();
    const tenant = "legacy-team";
    await webhooks.create(tenant, {
      url: "https://hooks.example.com/m",
      events: ["migration.completed", "migration.failed"],
    });
    const records = [...legacyRecords(40, 7)];
    const migration = api.memory.migrationFrom(new InMemoryLegacySource(records), { tenant });
    const report = await migration.migrateAllConversations();
    await api.manager.reconcile();
    expect(hooks.received.map((r) => r.event.type)).toEqual(["migration.completed"]);
    expect(hooks.received[0]?.event.data).toEqual({
      runId: report.runId,
      state: "completed",
      records: {
        seen: report.records.seen,
        migrated: report.records.migrated,
        existing: report.records.existing,
        filtered: report.records.filtered,
        erased: report.records.erased,
        skipped: report.records.skipped,
      },
      batches: { total: report.batches.total, done: report.batches.done, failed: 0 },
      durationMs: expect.any(Number),
      finishedAt: expect.any(String),
    });
  });
});

describe("tier health", () => {
  const minute = 60_000;

  function monitored() {
    const stores = createInMemoryStores();
    const webhookStores = stores.webhooks;
    if (!webhookStores) throw new Error("no webhook stores");
    const { logger } = recordingLogger();
    const hooks = recordingTransport();
    let health: TierConnectivity[] = [];
    let checks = 0;
    const service = new WebhookService({
      stores: webhookStores,
      emitter: new WebhookEmitter({ ...webhookStores, logger }),
      dispatcher: new WebhookDispatcher({
        ...webhookStores,
        transport: hooks.transport,
        settings: {
          timeoutMs: 1000,
          maxAttempts: 3,
          retryBaseMs: 1,
          retryCapMs: 1,
          disable: { afterFailures: 0, afterMs: 0 },
          retentionMs: 86_400_000,
        },
        logger,
      }),
      policy: { allowLoopback: false },
      checkTiers: async () => {
        checks++;
        return health;
      },
      logger,
    });
    const tiers = (failing: string[]) => {
      health = ["redis", "postgres", "chroma", "neo4j"].map((tier) =>
        failing.includes(tier)
          ? { tier, ok: false, latencyMs: 2000, error: "timeout" }
          : { tier, ok: true, latencyMs: 1 },
      ) as TierConnectivity[];
    };
    return { service, hooks, tiers, checks: () => checks };
  }

  it("reports a tier failing longer than each endpoint's threshold once, then its recovery to those told", async () => {
    const { service, hooks, tiers, checks } = monitored();
    const five = await service.create("acme", { url: "https://a.example.com/h", events: ["tier.degraded"] });
    const thirty = await service.create("acme", {
      url: "https://b.example.com/h",
      events: ["tier.degraded"],
      degradedAfterMinutes: 30,
    });
    const other = await service.create("globex", {
      url: "https://c.example.com/h",
      events: ["tier.degraded"],
    });
    const t0 = Date.UTC(2026, 5, 1, 12, 0, 0);
    const at = (minutes: number) => new Date(t0 + minutes * minute);
    tiers(["chroma"]);
    for (const m of [0, 1, 4.9]) expect((await service.work({ now: at(m) })).tierEvents, `${m}`).toBe(0);
    expect((await service.work({ now: at(5) })).tierEvents).toBe(2);
    expect((await service.work({ now: at(6) })).tierEvents).toBe(0);
    expect(hooks.received.map((r) => [r.url, r.event.type])).toEqual(
      expect.arrayContaining([
        [five.endpoint.url, "tier.degraded"],
        [other.endpoint.url, "tier.degraded"],
      ]),
    );
    expect(hooks.received).toHaveLength(2);
    expect(hooks.received[0]?.event.data).toEqual({
      tier: "chroma",
      since: at(0).toISOString(),
      degradedForMinutes: 5,
      error: "timeout",
    });
    tiers([]);
    expect((await service.work({ now: at(10) })).tierEvents).toBe(2);
    expect((await service.work({ now: at(11) })).tierEvents).toBe(0);
    const recovered = hooks.received.filter((r) => r.event.type === "tier.recovered");
    expect(recovered.map((r) => r.url).sort()).toEqual([five.endpoint.url, other.endpoint.url].sort());
    expect(recovered[0]?.event.data).toEqual({
      tier: "chroma",
      since: at(0).toISOString(),
      recoveredAt: at(10).toISOString(),
      degradedForMinutes: 10,
    });
    expect(hooks.received.some((r) => r.url === thirty.endpoint.url)).toBe(false);
    expect(checks()).toBe(7);
  });

  it("pings nothing while no endpoint subscribes, and never reports Postgres (which holds the queue)", async () => {
    const { service, hooks, tiers, checks } = monitored();
    await service.create("acme", { url: "https://a.example.com/h", events: ["user.erased"] });
    tiers(["postgres"]);
    await service.work();
    expect(checks()).toBe(0);
    await service.create("acme", {
      url: "https://a.example.com/h",
      events: ["tier.degraded"],
      degradedAfterMinutes: 0,
    });
    await service.work();
    expect(checks()).toBe(1);
    expect(hooks.received).toEqual([]);
  });
});
