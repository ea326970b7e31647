/**
 * Stores on a small Postgres pool: nothing waits on a connection held by a waiter, and summary
 * writes (each holding its window's lock, so a connection, while Chroma answers) never take more
 * than a quarter of the pool however slow Chroma is, so stores always find a connection.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import { waitFor } from "../../infra/local/process-utils.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import {
  createTestMemory,
  expectProjectionMatchesArchive,
  type TestMemory,
  uniqueId,
} from "../helpers/memory.js";

// Three connections, and projections applied inline: each summary projection holds a window lock.
const memory = await createTestMemory({ HIERARCHICAL_MEMORY_POSTGRESQL_MAX_CONNECTIONS: "3" });
const application = `pool-pressure-${crypto.randomUUID().slice(0, 8)}`;

const chromaUrl = new URL(inject("localEnv").HIERARCHICAL_MEMORY_CHROMADB_URL ?? "");
const slowChroma = await startFaultProxy({ host: chromaUrl.hostname, port: Number(chromaUrl.port) });
const eight = await createTestMemory({
  HIERARCHICAL_MEMORY_POSTGRESQL_MAX_CONNECTIONS: "8",
  // Names its connections, so Postgres can say how many of them are held.
  HIERARCHICAL_MEMORY_POSTGRESQL_URL: withApplicationName(
    inject("localEnv").HIERARCHICAL_MEMORY_POSTGRESQL_URL ?? "",
  ),
  HIERARCHICAL_MEMORY_CHROMADB_URL: `http://${slowChroma.address}`,
  HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0",
});
afterAll(() => slowChroma.close());

function withApplicationName(url: string) {
  const u = new URL(url);
  u.searchParams.set("application_name", application);
  return u.toString();
}

/** Connections of `eight` held by summary writes: each holds its window's advisory lock. */
const held = async () =>
  Number(
    (
      await memory.raw().sql<{ n: string }>(
        `SELECT count(DISTINCT l.pid) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`,
        [application],
      )
    )[0]?.n,
  );

const stores = (manager: TestMemory["manager"], users: string[]) =>
  Promise.allSettled(
    users.map((userId, i) =>
      manager.storeConversation({
        userId,
        userMessage: `I planted tomatoes in plot ${i}`,
        botResponse: "Lovely!",
      }),
    ),
  );

describe("a small connection pool under concurrent stores", () => {
  it("acknowledges every store and projects every one of them", async () => {
    const users = Array.from({ length: 24 }, () => uniqueId("pool"));
    const results = await stores(memory.manager, users);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    await memory.manager.reconcile();
    for (const userId of users.slice(0, 6))
      for (const tier of memory.manager.projections)
        await expectProjectionMatchesArchive(memory, tier, userId);
  });

  it("lets slow summary writes hold at most a quarter of the pool", { timeout: 60_000 }, async () => {
    slowChroma.set({ kind: "delay", ms: 300 });
    const users = Array.from({ length: 16 }, () => uniqueId("slow"));
    const results = await stores(eight.manager, users);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    // All 16 summary writes are now under way in the background, stalled on Chroma.
    let most = 0;
    for (let i = 0; i < 50; i++) {
      most = Math.max(most, await held());
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
    slowChroma.set({ kind: "pass" });
    // The writes still queued finish in the background; whatever failed, the outbox replays.
    await waitFor(
      "the summaries",
      async () => {
        await eight.manager.reconcile();
        for (const userId of users.slice(0, 4)) await expectProjectionMatchesArchive(eight, "chroma", userId);
        return true;
      },
      30_000,
    );
  });
});
