/**
 * The operator console end to end in a real browser (Debian's Chromium driven by playwright-core):
 * sign in with an operator key, see a stopped tier go down, watch a running migration's progress
 * move, see a tenant's bulk import end with its counts, look a user up and erase them, see a webhook
 * endpoint's latest delivery. Leaves a screenshot in test/artifacts/.
 */
import { mkdirSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { legacyRecords } from "../../infra/local/legacy-fixture.js";
import { startApi } from "../helpers/api.js";
import { uniqueId } from "../helpers/memory.js";
import { legacyStore, migrator } from "../helpers/migration.js";
import { privateChroma } from "../helpers/services.js";
import { startReceiver } from "../helpers/webhooks.js";

const chromaTier = await privateChroma();
const api = await startApi({
  ...chromaTier.env,
  HIERARCHICAL_MEMORY_MIGRATION_TENANT: uniqueId("legacy").toLowerCase(),
  // A webhook receiver on this machine.
  HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: "true",
});
const legacy = await legacyStore();
const { key: operatorKey } = await api.keys.createAdmin("console e2e");
const tenant = await api.tenant();

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
});
afterAll(async () => {
  await browser?.close();
  await chromaTier.close();
});

const tierStatus = (tier: string) => page.locator(`#tiers tr[data-tier="${tier}"] td.status`);

describe("the operator console", () => {
  it("is served with a content security policy and refuses keys that are not operator keys", async () => {
    const res = await fetch(`${api.base}/console`);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const asTenant = await tenant.call("/console/api/tiers");
    expect(asTenant.status).toBe(403);
    const operatorOnUsers = await fetch(`${api.base}/v1/users/x/conversations`, {
      headers: { authorization: `Bearer ${operatorKey}` },
    });
    expect(operatorOnUsers.status).toBe(403);
  });

  it("signs in, shows the tiers, and shows a stopped tier as down", { timeout: 60_000 }, async () => {
    await page.goto(`${api.base}/console`);
    await page.getByLabel("Operator key").fill("hm_wrong_key");
    await page.getByRole("button", { name: "Open console" }).click();
    await expect.poll(() => page.locator("#login-error").textContent()).toMatch(/does not open the console/);

    await page.getByLabel("Operator key").fill(operatorKey);
    await page.getByRole("button", { name: "Open console" }).click();
    await page.getByRole("button", { name: "Run connectivity test" }).click();
    await expect.poll(() => tierStatus("chroma").textContent(), { timeout: 15_000 }).toBe("healthy");
    expect(await page.locator("#tiers tbody tr").count()).toBe(4);

    await chromaTier.stop();
    await page.getByRole("button", { name: "Run connectivity test" }).click();
    await expect.poll(() => tierStatus("chroma").textContent(), { timeout: 15_000 }).toBe("down");
    await expect.poll(() => page.locator("#test-result").textContent()).toMatch(/chroma: failed/);
    await chromaTier.start();
  });

  it("shows a running migration's progress move", { timeout: 120_000 }, async () => {
    await legacy.fill(legacyRecords(3000, 7));
    const migration = migrator(api, legacy.source, { batchSize: 25, concurrency: 1 });
    const running = migration.migrateAllConversations({});
    const progress = page.locator("#migrations tbody tr").first().locator("td.records");
    const doneOf = async () => Number((await progress.textContent())?.match(/(\d+) \//)?.[1] ?? 0);
    await expect.poll(doneOf, { timeout: 30_000 }).toBeGreaterThan(0);
    const first = await doneOf();
    mkdirSync("test/artifacts", { recursive: true });
    await page.screenshot({ path: "test/artifacts/console-migration.png", fullPage: true });
    await expect.poll(doneOf, { timeout: 30_000 }).toBeGreaterThan(first);
    const report = await running;
    await expect
      .poll(() => page.locator("#migrations tbody tr").first().locator("td.state").textContent(), {
        timeout: 30_000,
      })
      .toMatch(/completed|validated/);
    expect(report.records.migrated).toBeGreaterThan(2500);
  });

  it("shows a tenant's bulk import with its lines and counts", { timeout: 60_000 }, async () => {
    const userId = uniqueId("console-import");
    const lines = [
      { userId, userMessage: "I adopted a cat named Bailey.", botResponse: "Lovely!" },
      "{not json",
      { userId, kind: "note", text: "Allergic to peanuts." },
    ];
    const res = await tenant.call("/v1/imports", {
      method: "POST",
      body: lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n"),
      headers: { "content-type": "application/x-ndjson" },
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await api.memory.imports?.settled();
    const row = page.locator(`#imports tr[data-import="${id}"]`);
    await expect.poll(() => row.locator("td.state").textContent(), { timeout: 15_000 }).toBe("completed");
    expect(await row.locator("td").allTextContents()).toEqual([
      tenant.tenantId,
      "ndjson",
      "completed",
      " 3 / 3",
      "2",
      "0",
      "1",
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    ]);
  });

  it("looks a user up across the tiers, and erases them only after confirmation", {
    timeout: 60_000,
  }, async () => {
    const userId = uniqueId("console-user");
    await tenant.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: "My sister Ana lives in Lisbon.", botResponse: "Lovely!" },
    });
    await page.getByLabel("Tenant", { exact: true }).fill(tenant.tenantId);
    await page.getByLabel("User id", { exact: true }).fill(userId);
    await page.getByRole("button", { name: "Look up" }).click();
    // The import and migration above may keep the projections (and the machine) busy a while.
    await expect
      .poll(() => page.locator("#user-result").textContent(), { timeout: 15_000 })
      .toMatch(/^.+: 1 exchanges in Postgres, 1 recent/);
    // Some traffic for the chart, then the whole page as an operator sees it.
    for (let i = 0; i < 20; i++)
      await tenant.call(`/v1/users/${userId}/context`, {
        method: "POST",
        json: { query: "Where does Ana live?" },
      });
    await page.getByRole("button", { name: "Run connectivity test" }).click();
    await expect.poll(() => tierStatus("chroma").textContent(), { timeout: 15_000 }).toBe("healthy");
    await page.reload();
    await page.getByLabel("Tenant", { exact: true }).fill(tenant.tenantId);
    await page.getByLabel("User id", { exact: true }).fill(userId);
    await page.getByRole("button", { name: "Look up" }).click();
    await expect
      .poll(() => page.locator("#traffic-summary").textContent())
      // The last hour holds the traffic above; this minute may have just begun (p50 then reads –).
      .toMatch(
        /^Last hour: up to [1-9]\d* requests\/min, context p95 up to [\d.]+ ms\. This minute: \d+ requests, context p50 ([\d.]+|–) ms/,
      );
    await page.screenshot({ path: "test/artifacts/console.png", fullPage: true });

    await page.getByLabel(/type the user id again/).fill("someone-else");
    await page.getByRole("button", { name: "Erase user" }).click();
    // An erase reaches every tier; after the migration above the projections may still be busy.
    await expect
      .poll(() => page.locator("#user-result").textContent(), { timeout: 15_000 })
      .toMatch(/^Not erased: erasing needs/);
    expect((await tenant.call(`/v1/users/${userId}/conversations`)).status).toBe(200);

    await page.getByLabel(/type the user id again/).fill(userId);
    await page.getByRole("button", { name: "Erase user" }).click();
    await expect
      .poll(() => page.locator("#user-result").textContent(), { timeout: 15_000 })
      .toMatch(/^Erased .* \(1 exchanges\)/);
    expect((await tenant.call(`/v1/users/${userId}/conversations`)).status).toBe(404);
  });

  it("shows each webhook endpoint with its latest delivery", { timeout: 60_000 }, async () => {
    const receiver = await startReceiver();
    const res = await tenant.call("/v1/webhooks", {
      method: "POST",
      json: { url: receiver.url("/console?token=t0ps3cret"), events: ["user.erased"] },
    });
    const { id } = (await res.json()) as { id: string };
    await tenant.call(`/v1/webhooks/${id}/ping`, { method: "POST" });
    const row = page.locator(`#webhooks tr[data-endpoint="${id}"]`);
    await expect
      .poll(() => row.locator("td.status").textContent(), { timeout: 15_000 })
      .toMatch(/^delivered \(204\) at /);
    expect(await row.locator("th").textContent()).toBe(receiver.url("/console"));
    expect(await page.locator("#webhooks").textContent()).not.toContain("t0ps3cret");
    await page
      .locator("section", { has: page.locator("#webhooks") })
      .screenshot({ path: "test/artifacts/console-webhooks.png" });
  });
});
