/**
 * A tier's process is stopped for real, in the middle of a mixed store/context load: every store is
 * still acknowledged by Postgres and none is lost, context still answers within the deadline naming
 * the tier in `degraded`, and after a restart the outbox repairs the projection to exactly what
 * Postgres implies, for every user of the load.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { waitFor } from "../../infra/local/process-utils.js";
import type { ProjectionTier } from "../../shared/domain/tiers.js";
import { TierUnavailableError } from "../../shared/errors/memory-error.js";
import {
  createTestMemory,
  expectProjectionMatchesArchive,
  storeConversation,
  type TestMemory,
  uniqueId,
} from "../helpers/memory.js";
import { startMixedLoad } from "../helpers/mixed-load.js";
import { captureJsonLines } from "../helpers/output.js";
import {
  privateChroma,
  privateNeo4j,
  privatePostgresRoute,
  privateRedis,
  type Stoppable,
} from "../helpers/services.js";

const deadlineMs = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outageSettings = {
  HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: String(deadlineMs),
  HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "200",
};

const cases: [ProjectionTier, () => Promise<Stoppable>][] = [
  ["redis", privateRedis],
  ["chroma", privateChroma],
  ["neo4j", privateNeo4j],
];

describe.each(cases)("when %s is down", (tier, startPrivate) => {
  let service: Stoppable;
  afterAll(() => service?.close());

  it("under a mixed load: acknowledges stores, degrades context within the deadline, repairs after restart", {
    timeout: 180_000,
  }, async () => {
    service = await startPrivate();
    const t = await createTestMemory({ ...outageSettings, ...service.env });
    const { manager } = t;
    const users = Array.from({ length: 4 }, (_, i) => uniqueId(`outage-${tier}-${i}`));
    for (const userId of users) await storeConversation(manager, userId, Date.UTC(2025, 0, 1));
    // Finish what the stores left to the outbox before the outage (leased rows included).
    await t.stores.outbox?.releaseAll();
    await manager.reconcile();

    const load = startMixedLoad(manager, users, { workers: 4, query: "Who plays chess with Zoe?" });
    await sleep(300);
    await service.stop();
    const downFrom = performance.now();
    await sleep(1_500);
    const health = (await manager.getTierHealthStatus()).tiers.find((t) => t.tier === tier);
    expect(health, JSON.stringify(health)).toMatchObject({ enabled: true, healthy: false });
    const downUntil = performance.now();
    await service.start();
    await sleep(300);
    const { acknowledged, storeFailures, contexts, contextFailures } = await load.stop();

    expect(storeFailures).toEqual([]);
    expect(contextFailures).toEqual([]);
    const duringOutage = contexts.filter((c) => c.startedAt >= downFrom && c.endedAt <= downUntil);
    expect(duringOutage.length).toBeGreaterThan(0);
    for (const { context } of duringOutage) {
      expect(context.degraded, JSON.stringify(context.timings)).toContain(tier);
      expect(context.totalMs).toBeLessThan(deadlineMs + 700);
      expect(context.items.length).toBeGreaterThan(0);
    }
    // Zero lost: every acknowledged id is a row, and there are no others.
    for (const userId of users) {
      const rows = (await t.stores.archive?.allExchanges(userId)) ?? [];
      expect(
        rows
          .slice(5)
          .map((e) => e.id)
          .sort(),
      ).toEqual([...(acknowledged.get(userId) ?? [])].sort());
    }

    // The reconciler runs on a schedule; here, as soon as the tier answers again.
    await waitFor(
      `${tier} to answer`,
      async () => {
        const results = await manager.testTierConnectivity(2000);
        return results.find((r) => r.tier === tier)?.ok === true;
      },
      30_000,
    );
    // Projections the stores queued in the background may still be failing against the restarted
    // tier; once they are done their rows are in the outbox (backed off), and the release makes them due.
    await manager.projectionsIdle();
    await t.stores.outbox?.releaseAll(tier);
    const report = await manager.reconcile({ maxBatches: 1000 });
    expect(report.failed).toBe(0);
    for (const userId of users) await expectProjectionMatchesArchive(t, tier, userId);
  });
});

describe("when Postgres is unreachable", () => {
  let route: Stoppable;
  afterAll(() => route?.close());

  it("refuses stores and serves context from the cache, flagged degraded", { timeout: 60_000 }, async () => {
    route = await privatePostgresRoute();
    const t: TestMemory = await createTestMemory({ ...outageSettings, ...route.env });
    const { manager } = t;
    const userId = uniqueId("pg-down");
    const ids = await storeConversation(manager, userId);
    await manager.reconcile();

    await route.stop();
    await expect(
      manager.storeConversation({ userId, userMessage: "will this be kept?", botResponse: "no" }),
    ).rejects.toBeInstanceOf(TierUnavailableError);
    const context = await manager.getConversationContext({ userId, currentQuery: "Kyoto temples" });
    expect(context.degraded).toContain("postgres");
    expect(context.items.map((i) => i.exchangeIds[0])).toContain(ids[4]);

    await route.start();
    expect(await t.stores.archive?.allExchanges(userId)).toHaveLength(5);
  });
});

describe("the API when Postgres is unreachable", () => {
  it("refuses a store with 503 and Retry-After, and acknowledges nothing", { timeout: 60_000 }, async () => {
    const route = await privatePostgresRoute();
    try {
      const { startApi } = await import("../helpers/api.js");
      const api = await startApi({ ...route.env, LOG_LEVEL: "warn" });
      const tenant = await api.tenant();
      // A first call while Postgres is up, so the key is verified and cached: what follows is
      // refused by the store itself, not by authentication.
      expect((await tenant.call("/v1/users/pg-down/conversations")).status).toBe(404);
      await route.stop();
      const output = captureJsonLines();
      const res = await tenant.call("/v1/users/pg-down/conversations", {
        method: "POST",
        json: { userMessage: "will this be kept?", botResponse: "no" },
      });
      // The operator's log line says which route was refused and what failed underneath.
      expect(output().find((l) => l.message === "request refused")).toMatchObject({
        method: "POST",
        route: "/v1/users/:userId/conversations",
        cause: expect.stringMatching(/\w/),
      });
      vi.restoreAllMocks();
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(((await res.json()) as { detail: string }).detail).toMatch(
        /postgres is unavailable; nothing was stored/,
      );
      // With nothing cached either, context says what it could not reach rather than failing.
      const context = await tenant.call("/v1/users/pg-down/context", {
        method: "POST",
        json: { query: "anything" },
      });
      expect(context.status).toBe(200);
      expect(((await context.json()) as { degraded: string[] }).degraded).toContain("postgres");
      await route.start();
      expect(await api.stores.archive?.exchangeCount(`${tenant.tenantId}/pg-down`)).toBe(0);
    } finally {
      await route.close();
    }
  });
});
