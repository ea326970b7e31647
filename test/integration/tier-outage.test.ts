/**
 * A tier's process is stopped for real, in the middle of use: stores are still acknowledged by
 * Postgres, context still answers within the deadline naming the tier in `degraded`, and after a
 * restart the outbox repairs the projection to exactly what Postgres implies.
 */
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../../infra/local/process-utils.js";
import type { ProjectionTier } from "../../shared/domain/types.js";
import type { HierarchicalMemoryManager } from "../../shared/memory/manager.js";
import {
  createTestManager,
  expectProjectionMatchesArchive,
  storeConversation,
  uniqueId,
} from "../helpers/memory.js";
import {
  privateChroma,
  privateNeo4j,
  privatePostgresRoute,
  privateRedis,
  type Stoppable,
} from "../helpers/services.js";

const deadlineMs = 300;
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
  let manager: HierarchicalMemoryManager;
  afterAll(() => service?.close());

  it("acknowledges stores, degrades context within the deadline, and repairs after restart", {
    timeout: 180_000,
  }, async () => {
    service = await startPrivate();
    manager = await createTestManager({ ...outageSettings, ...service.env });
    const userId = uniqueId(`outage-${tier}`);
    await storeConversation(manager, userId, Date.UTC(2025, 0, 1));
    // Finish what the stores left to the outbox before the outage (leased rows included).
    await manager.stores.outbox?.releaseAll();
    await manager.reconcile();

    await service.stop();
    const during = [];
    for (let i = 0; i < 3; i++)
      during.push(
        await manager.storeConversation({
          userId,
          userMessage: `My friend Zoe ${i} plays chess.`,
          botResponse: "Fun!",
        }),
      );
    for (const result of during) expect(result.pending).toContain(tier);

    const context = await manager.getConversationContext({
      userId,
      currentQuery: "Who plays chess with Zoe?",
    });
    expect(context.degraded, JSON.stringify(context.timings)).toContain(tier);
    expect(context.totalMs).toBeLessThan(deadlineMs + 700);
    expect(context.items.length).toBeGreaterThan(0);
    expect(await manager.stores.archive?.allExchanges(userId)).toHaveLength(8);
    expect((await manager.getTierHealthStatus()).outboxBacklog?.[tier]).toBeGreaterThanOrEqual(3);
    const health = (await manager.getTierHealthStatus()).tiers.find((t) => t.tier === tier);
    expect(health, JSON.stringify(health)).toMatchObject({ enabled: true, healthy: false });

    await service.start();
    // The reconciler runs on a schedule; here, as soon as the tier answers again.
    await waitFor(
      `${tier} to answer`,
      async () => {
        const results = await manager.testTierConnectivity(2000);
        return results.find((r) => r.tier === tier)?.ok === true;
      },
      30_000,
    );
    await manager.stores.outbox?.releaseAll(tier);
    const report = await manager.reconcile();
    expect(report.failed).toBe(0);
    expect((await manager.getTierHealthStatus()).outboxBacklog?.[tier]).toBe(0);
    await expectProjectionMatchesArchive(manager, tier, userId);
  });
});

describe("when Postgres is unreachable", () => {
  let route: Stoppable;
  afterAll(() => route?.close());

  it("refuses stores and serves context from the cache, flagged degraded", { timeout: 60_000 }, async () => {
    route = await privatePostgresRoute();
    const manager = await createTestManager({ ...outageSettings, ...route.env });
    const userId = uniqueId("pg-down");
    const ids = await storeConversation(manager, userId);
    await manager.reconcile();

    await route.stop();
    await expect(
      manager.storeConversation({ userId, userMessage: "will this be kept?", botResponse: "no" }),
    ).rejects.toThrow();
    const context = await manager.getConversationContext({ userId, currentQuery: "Kyoto temples" });
    expect(context.degraded).toContain("postgres");
    expect(context.items.map((i) => i.exchangeIds[0])).toContain(ids[4]);

    await route.start();
    expect(await manager.stores.archive?.allExchanges(userId)).toHaveLength(5);
  });
});

describe("the API when Postgres is unreachable", () => {
  it("refuses a store with 503 and Retry-After, and acknowledges nothing", { timeout: 60_000 }, async () => {
    const route = await privatePostgresRoute();
    try {
      const { startApi } = await import("../helpers/api.js");
      const api = await startApi({ ...route.env });
      const t = await api.tenant();
      await route.stop();
      const res = await t.call("/v1/users/pg-down/conversations", {
        method: "POST",
        json: { userMessage: "will this be kept?", botResponse: "no" },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(((await res.json()) as { detail: string }).detail).toMatch(
        /postgres is unavailable; nothing was stored/,
      );
      await route.start();
      expect(await api.memory.stores.archive?.exchangeCount(`${t.tenantId}/pg-down`)).toBe(0);
    } finally {
      await route.close();
    }
  });
});
