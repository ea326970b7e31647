/**
 * Faults between the app and a tier that is still running: a slow link, a black hole (connections
 * accepted, nothing answered), connections dropped mid-query, and a host name that does not
 * resolve. Nothing hangs past the deadline, health names the tier, stores are acknowledged by
 * Postgres, and once the link heals the outbox brings the projection back.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { ProjectionTier } from "../../shared/domain/tiers.js";
import { TierUnavailableError } from "../../shared/errors/memory-error.js";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import {
  createTestMemory,
  expectProjectionMatchesArchive,
  storeConversation,
  type TestMemory,
  uniqueId,
} from "../helpers/memory.js";
import { captureJsonLines } from "../helpers/output.js";

const deadlineMs = 300;
/** What the event loop and a loaded CI machine may add on top of the deadline. */
const slackMs = 400;
const local = inject("localEnv");
const endpoint = (value: string) => {
  const url = new URL(value.includes("://") ? value : `tcp://${value}`);
  return { host: url.hostname, port: Number(url.port) };
};

const proxies = {} as Record<ProjectionTier | "postgres", FaultProxy>;
let t: TestMemory;

beforeAll(async () => {
  proxies.redis = await startFaultProxy(endpoint(local.HIERARCHICAL_MEMORY_REDIS_URL ?? ""));
  proxies.chroma = await startFaultProxy(endpoint(local.HIERARCHICAL_MEMORY_CHROMADB_URL ?? ""));
  proxies.neo4j = await startFaultProxy(endpoint(local.HIERARCHICAL_MEMORY_NEO4J_URI ?? ""));
  proxies.postgres = await startFaultProxy(endpoint(local.HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY ?? ""));
  t = await createTestMemory({
    HIERARCHICAL_MEMORY_REDIS_URL: `http://${proxies.redis.address}`,
    HIERARCHICAL_MEMORY_CHROMADB_URL: `http://${proxies.chroma.address}`,
    HIERARCHICAL_MEMORY_NEO4J_URI: `bolt://${proxies.neo4j.address}`,
    // Same path (the bridge's token), through the proxy's host:port.
    HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY: (local.HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY ?? "").replace(
      /^[^/]+/,
      proxies.postgres.address,
    ),
    HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: String(deadlineMs),
    HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0",
  });
});
afterAll(() => Promise.all(Object.values(proxies).map((p) => p.close())));

const timedContext = async (userId: string) => {
  const started = performance.now();
  const context = await t.manager.getConversationContext({ userId, currentQuery: "Where does Ana live?" });
  return { context, ms: performance.now() - started };
};

describe.each([
  ["redis", { kind: "blackhole" }],
  ["chroma", { kind: "delay", ms: 800 }],
  ["neo4j", { kind: "blackhole" }],
] as const)("when the link to %s goes bad (%o)", (tier, fault) => {
  it("answers within the deadline naming it, acknowledges stores, and repairs once it heals", {
    timeout: 60_000,
  }, async () => {
    const { manager } = t;
    const userId = uniqueId(`fault-${tier}`);
    await storeConversation(manager, userId);
    await manager.reconcile();

    proxies[tier].set(fault);
    const { context, ms } = await timedContext(userId);
    expect(context.degraded).toContain(tier);
    expect(ms).toBeLessThan(deadlineMs + slackMs);
    expect(context.items.length).toBeGreaterThan(0);
    const stored = await manager.storeConversation({
      userId,
      userMessage: "My friend Zoe plays chess in Porto.",
      botResponse: "Fun!",
    });
    expect(await t.stores.archive?.byIds(userId, [stored.exchangeId])).toHaveLength(1);
    const health = (await manager.getTierHealthStatus()).tiers.find((h) => h.tier === tier);
    expect(health?.healthy).toBe(false);
    // A code anyone may see; the driver's words go to the log only.
    expect(health?.lastError).toMatch(/^(timeout|unreachable|failed)$/);

    // Healed. A slow link's connections carry on; those that lost bytes in a black hole are gone,
    // as a real network would eventually close them, and the clients open new ones.
    proxies[tier].set({ kind: "pass" });
    if (fault.kind === "blackhole") proxies[tier].dropConnections();
    await new Promise((r) => setTimeout(r, 2_500)); // lets the background work fail and back off
    await t.stores.outbox?.releaseAll(tier);
    await manager.reconcile();
    await expectProjectionMatchesArchive(t, tier, userId);
    // The first call may open a new connection (a Bolt handshake) past a loaded machine's deadline.
    await expect
      .poll(async () => (await timedContext(userId)).context.degraded, { timeout: 10_000 })
      .not.toContain(tier);
  });
});

describe("when Postgres connections drop mid-use", () => {
  it("fails the affected calls with a clear error, never hangs, and recovers on new connections", {
    timeout: 60_000,
  }, async () => {
    const { manager } = t;
    const userId = uniqueId("pg-drop");
    await storeConversation(manager, userId);
    const storing = Array.from({ length: 6 }, (_, i) =>
      manager
        .storeConversation({ userId, userMessage: `Drop test ${i}`, botResponse: "ok" })
        .then((r) => ({ ok: true as const, id: r.exchangeId }))
        .catch((error: Error) => ({ ok: false as const, error })),
    );
    proxies.postgres.dropConnections();
    const outcomes = await Promise.all(storing);
    for (const o of outcomes) if (!o.ok) expect(o.error.message).toMatch(/\S/);
    // Every acknowledged store is in Postgres; afterwards new connections work.
    const acknowledged = outcomes.flatMap((o) => (o.ok ? [o.id] : []));
    expect(await t.stores.archive?.byIds(userId, acknowledged)).toHaveLength(acknowledged.length);
    const after = await manager.storeConversation({ userId, userMessage: "Back again", botResponse: "ok" });
    expect(after.exchangeId).toBeTruthy();
  });
});

describe("when tier host names do not resolve", () => {
  it("reports each tier down with the reason and still stores and answers", { timeout: 60_000 }, async () => {
    const { manager: misconfigured, stores } = await createTestMemory({
      LOG_LEVEL: "warn",
      HIERARCHICAL_MEMORY_REDIS_URL: "http://no-such-host.invalid:8079",
      HIERARCHICAL_MEMORY_CHROMADB_URL: "http://no-such-host.invalid:8000",
      HIERARCHICAL_MEMORY_NEO4J_URI: "bolt://no-such-host.invalid:7687",
      HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: String(deadlineMs),
      HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0",
    });
    // Past the Neo4j driver's 2 s of retries, so its own reason comes through.
    const logs = captureJsonLines();
    const connectivity = await misconfigured.testTierConnectivity(6_000);
    vi.restoreAllMocks();
    for (const tier of ["redis", "chroma", "neo4j"]) {
      const result = connectivity.find((c) => c.tier === tier);
      expect(result?.ok, tier).toBe(false);
      expect(result?.error, tier).toBe("unreachable");
      // The operator's log names the cause: the host that did not resolve.
      const line = logs().find((l) => l.message === "connectivity test failed" && l.tier === tier);
      expect(line?.cause, tier).toMatch(/ENOTFOUND|getaddrinfo|resolve|no-such-host/i);
    }
    expect(connectivity.find((c) => c.tier === "postgres")?.ok).toBe(true);
    const userId = uniqueId("no-dns");
    const stored = await misconfigured.storeConversation({ userId, userMessage: "Hello", botResponse: "Hi" });
    // ("Hello" names no entity, so the graph has nothing to write and is not pending.)
    expect(stored.pending).toEqual(expect.arrayContaining(["redis", "chroma"]));
    expect(await stores.archive?.byIds(userId, [stored.exchangeId])).toHaveLength(1);
    const started = performance.now();
    // A query naming an entity, so the graph is asked too.
    const context = await misconfigured.getConversationContext({
      userId,
      currentQuery: "Does Ana live in Lisbon?",
    });
    expect(performance.now() - started).toBeLessThan(deadlineMs + slackMs);
    expect(context.degraded).toEqual(expect.arrayContaining(["redis", "chroma", "neo4j"]));
  });
});

describe("when Postgres stops answering (a hung primary)", () => {
  it("refuses a store within seconds, and a retry with the same key after it heals stores it once", {
    timeout: 60_000,
  }, async () => {
    const { manager } = t;
    const userId = uniqueId("pg-hung");
    await storeConversation(manager, userId);
    const input = { userId, userMessage: "Are you there?", botResponse: "…", idempotencyKey: "hung-1" };
    proxies.postgres.set({ kind: "blackhole" });
    const started = performance.now();
    const refused = await manager.storeConversation(input).catch((error: unknown) => error);
    const waited = performance.now() - started;
    expect(refused).toBeInstanceOf(TierUnavailableError);
    expect((refused as Error).message).toMatch(/retry with the same idempotency key/);
    // The store timeout (3 s), not the driver's 30 s query timeout nor the Lambda's 10 s.
    expect(waited).toBeLessThan(5_000);

    proxies.postgres.set({ kind: "pass" });
    proxies.postgres.dropConnections();
    // As a client does: retry a 503 with the same key (the first may meet a connection the outage broke).
    const retry = async (attempts: number): Promise<Awaited<ReturnType<typeof manager.storeConversation>>> =>
      manager.storeConversation(input).catch((error: unknown) => {
        if (attempts <= 1 || !(error instanceof TierUnavailableError)) throw error;
        return retry(attempts - 1);
      });
    // Every idle connection of the pool (up to its size) may be one the outage broke, and each retry
    // meets the next: a client that keeps retrying reaches a fresh one after at most that many.
    const attempts = t.config.postgres.maxConnections + 1;
    const retried = await retry(attempts);
    // The pool may hold more than one connection the outage broke: the client retries this one too.
    const again = await retry(attempts);
    expect(again).toMatchObject({ exchangeId: retried.exchangeId, duplicate: true });
    const rows = (await t.stores.archive?.allExchanges(userId)) ?? [];
    expect(rows.filter((e) => e.userMessage === input.userMessage)).toHaveLength(1);
  });
});
