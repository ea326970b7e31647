/**
 * Webhooks end to end on the emulation: the API on a real HTTP server over Postgres, and a receiver
 * started here (a Node HTTP server on 127.0.0.1). Signed deliveries the client's helper verifies (and
 * refuses once forged or replayed), a receiver that fails and then recovers, payloads without text
 * unless asked for, an erase that takes queued text with it, and a tier degraded and recovered. Its
 * own database: webhooks and tier incidents are global, and other files' workers would see them.
 */
import { afterAll, describe, expect, it } from "vitest";
import { dropDatabase, ensureDatabase } from "../../infra/local/services/postgres.js";
import { MemoryClient, verifyWebhook, WebhookVerificationError } from "../../shared/client/index.js";
import { signedHeaders } from "../../shared/memory/webhooks/signing.js";
import { startApi } from "../helpers/api.js";
import { testConfig } from "../helpers/config.js";
import { createTestMemory, uniqueId } from "../helpers/memory.js";
import { type Received, startReceiver } from "../helpers/webhooks.js";

const wsProxy = testConfig().postgres.wsProxy ?? "";
const database = `hm_webhooks_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const databaseUrl = await ensureDatabase(wsProxy, database);
// Registered first, so it runs after the memories below have closed their pools.
afterAll(() => dropDatabase(wsProxy, database));

const settings = {
  HIERARCHICAL_MEMORY_POSTGRESQL_URL: databaseUrl,
  HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: "true",
  HIERARCHICAL_MEMORY_WEBHOOK_RETRY_BASE: "50",
  HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP: "200",
  HIERARCHICAL_MEMORY_WEBHOOK_MAX_ATTEMPTS: "4",
  HIERARCHICAL_MEMORY_WEBHOOK_TIMEOUT: "1000",
  HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY: "0",
};
const api = await startApi(settings);
const receiver = await startReceiver();
const acme = await api.tenant();
const client = new MemoryClient({ baseUrl: api.base, apiKey: acme.key });
const webhooks = api.memory.webhooks;
if (!webhooks) throw new Error("webhooks need Postgres");

/** Runs the worker until `done` holds (backoffs here are tens of milliseconds); never asserts a speed. */
async function workUntil(done: () => boolean | Promise<boolean>, memory = webhooks) {
  for (let i = 0; i < 200 && !(await done()); i++) {
    await memory?.work();
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(await done()).toBe(true);
}

const verified = (secret: string, r: Received | undefined) =>
  verifyWebhook(secret, r?.body ?? "", r?.headers ?? {});

describe("signed deliveries", () => {
  it("answers a ping at once, signed so the client's helper verifies it", async () => {
    const { id, secret } = await client.createWebhook({
      url: receiver.url("/ping"),
      events: ["user.erased"],
    });
    const delivery = await client.pingWebhook(id);
    expect(delivery).toMatchObject({
      eventType: "webhook.ping",
      status: "delivered",
      attempts: 1,
      responseStatus: 204,
    });
    const got = receiver.received.find((r) => r.url === "/ping");
    expect(got?.headers["content-type"]).toBe("application/json");
    const event = await verified(secret, got);
    expect(event).toMatchObject({ id: delivery.eventId, type: "webhook.ping", data: { endpointId: id } });
    expect((await client.getWebhook(id)).lastDelivery).toMatchObject({
      status: "delivered",
      responseStatus: 204,
    });
  });

  it("refuses, in the helper, a delivery that was forged, tampered with or replayed later", async () => {
    const { id, secret } = await client.createWebhook({
      url: receiver.url("/forged"),
      events: ["user.erased"],
    });
    await client.pingWebhook(id);
    const got = receiver.received.find((r) => r.url === "/forged");
    if (!got) throw new Error("no ping came");
    const forged = signedHeaders(
      ["whsec_Zm9yZ2VkIHNlY3JldCBvZiB0aGlydHktdHdvIGJ5dGVzIQ=="],
      got.headers["webhook-id"] ?? "",
      got.body,
    );
    for (const attempt of [
      () =>
        verifyWebhook(secret, got.body, {
          ...got.headers,
          "webhook-signature": forged["webhook-signature"] ?? "",
        }),
      () => verifyWebhook(secret, got.body.replace("webhook.ping", "user.erased"), got.headers),
      () => verifyWebhook(secret, got.body, got.headers, { now: Date.now() + 10 * 60_000 }),
    ])
      await expect(attempt()).rejects.toBeInstanceOf(WebhookVerificationError);
  });

  it("retries a receiver that fails, and delivers once it recovers, with one event id throughout", async () => {
    const { id, secret } = await client.createWebhook({
      url: receiver.url("/flaky"),
      events: ["import.completed"],
    });
    let calls = 0;
    receiver.answerWith(() => {
      calls++;
      return calls <= 2 ? (calls === 1 ? 503 : { status: 429, retryAfter: 0 }) : 200;
    });
    await api.memory.events.importFinished({
      tenantId: acme.tenantId,
      importId: "imp-42",
      state: "completed",
      lines: { total: 10, imported: 9, refused: 1 },
    });
    await workUntil(async () => (await client.webhookDeliveries(id)).deliveries[0]?.status === "delivered");
    receiver.answerWith(() => 204);
    const attempts = receiver.received.filter((r) => r.url === "/flaky");
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.headers["webhook-id"])).size).toBe(1);
    for (const attempt of attempts)
      expect((await verified(secret, attempt)).data).toEqual({
        importId: "imp-42",
        state: "completed",
        lines: { total: 10, imported: 9, refused: 1 },
        finishedAt: expect.any(String),
      });
    const [delivery] = (await client.webhookDeliveries(id)).deliveries;
    expect(delivery).toMatchObject({ status: "delivered", attempts: 3, responseStatus: 200, error: null });
    expect((await client.getWebhook(id)).failureStreak).toBe(0);
  });

  it("marks a delivery failed after its last attempt to a receiver that never answers in time", async () => {
    const { id } = await client.createWebhook({ url: receiver.url("/silent"), events: ["import.failed"] });
    receiver.answerWith(() => "no-answer");
    await api.memory.events.importFinished({
      tenantId: acme.tenantId,
      importId: "imp-43",
      state: "failed",
      lines: { total: 10 },
      error: "the object could not be read",
    });
    await workUntil(async () => (await client.webhookDeliveries(id)).deliveries[0]?.status === "failed");
    receiver.answerWith(() => 204);
    const [delivery] = (await client.webhookDeliveries(id, { status: "failed" })).deliveries;
    expect(delivery).toMatchObject({ attempts: 4, error: "timeout", responseStatus: null });
    expect((await client.getWebhook(id)).lastDelivery).toMatchObject({ status: "failed", error: "timeout" });
  }, 60_000);
});

describe("what payloads carry", () => {
  const texts = [
    "I keep my spare key under the blue flowerpot.",
    "Noted.",
    "The spare key is with my neighbour Joan.",
  ];

  async function storeAndCorrect(userId: string) {
    const { exchangeId } = await client.store(userId, {
      userMessage: texts[0] ?? "",
      botResponse: texts[1] ?? "",
    });
    await client.correct(userId, exchangeId, { userMessage: texts[2] });
    return exchangeId;
  }

  const payloadsInPostgres = async () =>
    (await api.raw().sql<{ payload: string }>("SELECT payload FROM webhook_deliveries"))
      .map((r) => r.payload)
      .join("\n");

  it("carries ids, counts and times only, unless the endpoint opted in to text", async () => {
    const plain = await client.createWebhook({ url: receiver.url("/plain"), events: ["memory.corrected"] });
    const withText = await client.createWebhook({
      url: receiver.url("/text"),
      events: ["memory.corrected"],
      includeText: true,
    });
    const userId = uniqueId("payload");
    const exchangeId = await storeAndCorrect(userId);
    await workUntil(
      () =>
        receiver.received.some((r) => r.url === "/plain") && receiver.received.some((r) => r.url === "/text"),
    );
    const [fromPlain] = receiver.received.filter((r) => r.url === "/plain");
    const [fromText] = receiver.received.filter((r) => r.url === "/text");
    expect((await verified(plain.secret, fromPlain)).data).toEqual({
      userId,
      memoryId: exchangeId,
      kind: "exchange",
      version: 2,
      correctedAt: expect.any(String),
    });
    for (const text of texts) expect(fromPlain?.body).not.toContain(text);
    expect((await verified(withText.secret, fromText)).data).toMatchObject({
      userMessage: texts[2],
      botResponse: texts[1],
    });
    await client.deleteWebhook(plain.id);
    await client.deleteWebhook(withText.id);
  });

  it("takes queued deliveries with a user's text away when the user is erased", async () => {
    const { id, secret } = await client.createWebhook({
      url: receiver.url("/erased"),
      events: ["memory.corrected", "user.erased"],
      includeText: true,
    });
    const userId = uniqueId("erased");
    await storeAndCorrect(userId);
    expect(await payloadsInPostgres()).toContain(texts[2]);
    await client.erase(userId);
    const queued = (await client.webhookDeliveries(id)).deliveries;
    expect(queued.map((d) => d.eventType)).toEqual(["user.erased"]);
    for (const text of texts) expect(await payloadsInPostgres()).not.toContain(text);
    await workUntil(() => receiver.received.some((r) => r.url === "/erased"));
    const got = receiver.received.filter((r) => r.url === "/erased");
    expect(got).toHaveLength(1);
    expect((await verified(secret, got[0])).data).toEqual({
      userId,
      exchanges: 1,
      erasedAt: expect.any(String),
    });
    for (const text of texts) expect(JSON.stringify(got)).not.toContain(text);
    await client.deleteWebhook(id);
  });
});

describe("tier health", () => {
  it("reports a tier that fails its checks, once, and its recovery", { timeout: 60_000 }, async () => {
    const { secret } = await client.createWebhook({
      url: receiver.url("/tiers"),
      events: ["tier.degraded"],
      degradedAfterMinutes: 0,
    });
    // The same database, with a Chroma that does not answer (a closed port).
    const broken = await createTestMemory({
      ...settings,
      HIERARCHICAL_MEMORY_CHROMADB_URL: "http://127.0.0.1:1",
    });
    const degraded = () =>
      receiver.received.filter((r) => r.url === "/tiers" && r.event.type === "tier.degraded");
    await workUntil(() => degraded().length > 0, broken.memory.webhooks);
    await broken.memory.webhooks?.work();
    expect(degraded()).toHaveLength(1);
    expect((await verified(secret, degraded()[0])).data).toEqual({
      tier: "chroma",
      since: expect.any(String),
      degradedForMinutes: 0,
      error: expect.stringMatching(/^[a-z-]+$/),
    });
    const recovered = () =>
      receiver.received.filter((r) => r.url === "/tiers" && r.event.type === "tier.recovered");
    await workUntil(() => recovered().length > 0);
    expect((await verified(secret, recovered()[0])).data).toMatchObject({
      tier: "chroma",
      since: degraded()[0]?.event.data.since,
    });
  });
});
