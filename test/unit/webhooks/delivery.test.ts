/**
 * The delivery queue worked by the dispatcher, on in-memory stores with a transport that answers as
 * each test says: signed attempts, retries with backoff until a success, failure after the last
 * attempt, Retry-After, rotation, and endpoints disabled after a long failure streak. The same over
 * real HTTP and Postgres: test/integration/webhooks.test.ts.
 */
import { describe, expect, it } from "vitest";
import { verifyWebhook } from "../../../shared/client/webhooks.js";
import { retryDelayMs } from "../../../shared/memory/webhooks/dispatcher.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";
import { recordingTransport } from "../../helpers/webhooks.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setUp(overrides: Record<string, string> = {}) {
  const hooks = recordingTransport();
  const api = inMemoryApi(
    {
      HIERARCHICAL_MEMORY_WEBHOOK_RETRY_BASE: "1",
      HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP: "4",
      HIERARCHICAL_MEMORY_WEBHOOK_MAX_ATTEMPTS: "4",
      ...overrides,
    },
    { webhookTransport: hooks.transport },
  );
  const webhooks = api.memory.webhooks;
  if (!webhooks) throw new Error("no webhooks without Postgres");
  /** The worker, until nothing is due (backoffs here are milliseconds). */
  const work = async (rounds = 1) => {
    for (let i = 0; i < rounds; i++) {
      await sleep(10);
      await api.manager.reconcile();
    }
  };
  const imported = (tenantId: string, importId = "imp-1") =>
    api.memory.events.importFinished({
      tenantId,
      importId,
      state: "completed",
      lines: { total: 3, imported: 3, existing: 0, refused: 0 },
    });
  return { api, hooks, webhooks, work, imported };
}

describe("retry delays", () => {
  it("double from the base up to the cap, each between half and all of it", () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 1000, 10_000, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 10_000,
    ]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, 1000, 10_000, () => 0))).toEqual([500, 1000, 2000]);
    expect(retryDelayMs(60, 1000, 10_000, () => 0.5)).toBe(7500);
  });
});

describe("deliveries", () => {
  it("signs each attempt so the client's helper verifies it", async () => {
    const { webhooks, hooks, work, imported } = setUp();
    const { endpoint, secret } = await webhooks.create("acme", {
      url: "https://hooks.example.com/a",
      events: ["import.completed"],
    });
    await imported("acme");
    await work();
    expect(hooks.received).toHaveLength(1);
    const [got] = hooks.received;
    expect(got?.url).toBe("https://hooks.example.com/a");
    const event = await verifyWebhook(secret, got?.body ?? "", got?.headers ?? {});
    expect(event).toMatchObject({
      id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      type: "import.completed",
      data: { importId: "imp-1", state: "completed", lines: { total: 3, imported: 3 } },
    });
    const [delivery] = await webhooks.deliveries("acme", endpoint.id, { limit: 10 });
    expect(delivery).toMatchObject({
      status: "delivered",
      attempts: 1,
      responseStatus: 204,
      eventId: event.id,
    });
    expect((await webhooks.get("acme", endpoint.id)).health).toMatchObject({
      lastStatus: "delivered",
      lastResponseStatus: 204,
      failureStreak: 0,
    });
  });

  it("retries a receiver that fails, with the same event id, until it answers 2xx", async () => {
    const { webhooks, hooks, work, imported } = setUp();
    const { endpoint } = await webhooks.create("acme", {
      url: "https://hooks.example.com/a",
      events: ["import.completed"],
    });
    hooks.answerWith((n) => (n === 1 ? 500 : n === 2 ? "no-answer" : 200));
    await imported("acme");
    await work();
    let [delivery] = await webhooks.deliveries("acme", endpoint.id, { limit: 10 });
    expect(delivery).toMatchObject({
      status: "pending",
      attempts: 1,
      responseStatus: 500,
      error: "HTTP 500",
    });
    expect((await webhooks.get("acme", endpoint.id)).health).toMatchObject({
      lastStatus: "failed",
      failureStreak: 1,
    });
    await work(3);
    [delivery] = await webhooks.deliveries("acme", endpoint.id, { limit: 10 });
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, responseStatus: 200, error: null });
    expect(hooks.received).toHaveLength(3);
    expect(new Set(hooks.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect((await webhooks.get("acme", endpoint.id)).health).toMatchObject({
      lastStatus: "delivered",
      failureStreak: 0,
    });
  });

  it("marks a delivery failed after the last attempt, and sends it again on request", async () => {
    const { webhooks, hooks, work, imported } = setUp();
    const { endpoint } = await webhooks.create("acme", {
      url: "https://hooks.example.com/a",
      events: ["import.completed"],
    });
    hooks.answerWith(() => 503);
    await imported("acme");
    await work(8);
    const [failed] = await webhooks.deliveries("acme", endpoint.id, { limit: 10 });
    expect(failed).toMatchObject({ status: "failed", attempts: 4, responseStatus: 503, nextAttemptAt: null });
    expect(hooks.received).toHaveLength(4);
    hooks.answerWith(() => 200);
    const again = await webhooks.redeliver("acme", endpoint.id, failed?.id ?? "");
    expect(again).toMatchObject({ status: "delivered", attempts: 1 });
  });

  it("waits as long as a receiver's Retry-After asks, up to the cap", async () => {
    const { webhooks, hooks, work, imported } = setUp({ HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP: "60000" });
    const { endpoint } = await webhooks.create("acme", {
      url: "https://hooks.example.com/a",
      events: ["import.completed"],
    });
    hooks.answerWith(() => ({ status: 429, retryAfter: 30 }));
    await imported("acme");
    const before = Date.now();
    await work();
    const [delivery] = await webhooks.deliveries("acme", endpoint.id, { limit: 10 });
    expect(delivery?.nextAttemptAt?.getTime()).toBeGreaterThanOrEqual(before + 29_000);
    expect(delivery?.nextAttemptAt?.getTime()).toBeLessThanOrEqual(Date.now() + 30_000);
    await work(2);
    expect(hooks.received).toHaveLength(1);
  });

  it("disables an endpoint after a long failure streak: no attempt, no new event, until it is enabled", async () => {
    const { webhooks, hooks, work, imported } = setUp({
      HIERARCHICAL_MEMORY_WEBHOOK_DISABLE_AFTER_FAILURES: "3",
      HIERARCHICAL_MEMORY_WEBHOOK_DISABLE_AFTER_HOURS: "0",
      HIERARCHICAL_MEMORY_WEBHOOK_MAX_ATTEMPTS: "10",
    });
    const { endpoint } = await webhooks.create("acme", {
      url: "https://hooks.example.com/a",
      events: ["import.completed"],
    });
    hooks.answerWith(() => 500);
    await imported("acme");
    await work(6);
    const disabled = await webhooks.get("acme", endpoint.id);
    expect(disabled).toMatchObject({ enabled: false, health: { failureStreak: 3 } });
    expect(disabled.disabledReason).toMatch(/3 failed attempts in a row/);
    expect(hooks.received).toHaveLength(3);
    await imported("acme", "imp-2");
    await work(2);
    expect(hooks.received).toHaveLength(3);
    hooks.answerWith(() => 200);
    await webhooks.update("acme", endpoint.id, { enabled: true });
    await work(2);
    // What was pending goes out; what happened while it was disabled was not queued for it.
    expect(hooks.received.slice(3).map((r) => r.event.data.importId)).toEqual(["imp-1"]);
  });

  it("signs with the old secret too while a rotation's grace period lasts", async () => {
    const { webhooks, hooks, work, imported } = setUp();
    const { endpoint, secret: old } = await webhooks.create("acme", {
      url: "https://hooks.example.com/a",
      events: ["import.completed"],
    });
    const { secret } = await webhooks.rotateSecret("acme", endpoint.id, 3600);
    await imported("acme");
    await work();
    const [got] = hooks.received;
    expect(got?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    for (const s of [old, secret]) await verifyWebhook(s, got?.body ?? "", got?.headers ?? {});
    await webhooks.rotateSecret("acme", endpoint.id, 0);
    await imported("acme", "imp-2");
    await work();
    expect(hooks.received[1]?.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
    await expect(
      verifyWebhook(secret, hooks.received[1]?.body ?? "", hooks.received[1]?.headers ?? {}),
    ).rejects.toThrow();
  });

  it("sends a test ping at once and answers how it went", async () => {
    const { webhooks, hooks } = setUp();
    const { endpoint } = await webhooks.create("acme", {
      url: "https://hooks.example.com/a",
      events: ["user.erased"],
    });
    expect(await webhooks.ping("acme", endpoint.id)).toMatchObject({
      eventType: "webhook.ping",
      status: "delivered",
    });
    hooks.answerWith(() => 404);
    expect(await webhooks.ping("acme", endpoint.id)).toMatchObject({
      status: "pending",
      responseStatus: 404,
      error: "HTTP 404",
    });
    expect(hooks.received.map((r) => r.event.data.endpointId)).toEqual([endpoint.id, endpoint.id]);
  });
});
