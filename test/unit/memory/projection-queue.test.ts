/**
 * The store path's projection queue (a user's waiting exchanges applied together, a few users at a
 * time, a bounded wait) and the reconciler's lanes (one user's rows for a tier applied in one go,
 * row by row when that fails).
 */
import { describe, expect, it } from "vitest";
import type { Exchange } from "../../../shared/domain/types.js";
import { ProjectionQueue } from "../../../shared/memory/projection/queue.js";
import { inMemoryMemory } from "../../helpers/in-memory-memory.js";

const exchange = (userId: string, n: number) => ({ id: `${userId}-${n}`, userId }) as Exchange;

/** A queue whose batches finish when the test says so. */
function heldQueue(concurrency: number, capacity = 100) {
  const batches: { ids: string[]; finish: () => void }[] = [];
  const queue = new ProjectionQueue(
    (exchanges) =>
      new Promise<string[]>((resolve) =>
        batches.push({ ids: exchanges.map((e) => e.id), finish: () => resolve(exchanges.map((e) => e.id)) }),
      ),
    { concurrency, capacity },
  );
  return { queue, batches };
}

describe("ProjectionQueue", () => {
  it("applies a user's exchanges that waited together in one batch, after the batch in flight", async () => {
    const { queue, batches } = heldQueue(1);
    const first = queue.offer(exchange("a", 1));
    const waiting = [2, 3, 4].map((n) => queue.offer(exchange("a", n)));
    expect(batches.map((b) => b.ids)).toEqual([["a-1"]]);
    expect(queue.size).toBe(3);
    batches[0]?.finish();
    expect(await first).toEqual(["a-1"]);
    await Promise.resolve();
    expect(batches.map((b) => b.ids)).toEqual([["a-1"], ["a-2", "a-3", "a-4"]]);
    batches[1]?.finish();
    expect(await Promise.all(waiting)).toEqual([
      ["a-2", "a-3", "a-4"],
      ["a-2", "a-3", "a-4"],
      ["a-2", "a-3", "a-4"],
    ]);
  });

  it("runs at most `concurrency` users at once, never one user twice, and serves users in turn", async () => {
    const { queue, batches } = heldQueue(2);
    for (const [user, n] of [
      ["a", 1],
      ["b", 1],
      ["c", 1],
      ["a", 2],
    ] as const)
      void queue.offer(exchange(user, n));
    expect(batches.map((b) => b.ids)).toEqual([["a-1"], ["b-1"]]);
    void queue.offer(exchange("a", 3));
    batches[0]?.finish();
    await new Promise((resolve) => setImmediate(resolve));
    // c waited longer than a's next exchanges.
    expect(batches.map((b) => b.ids).slice(2)).toEqual([["c-1"]]);
    batches[1]?.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches.map((b) => b.ids).slice(3)).toEqual([["a-2", "a-3"]]);
  });

  it("refuses an exchange when `capacity` wait (its outbox rows stay for the worker)", () => {
    const { queue } = heldQueue(1, 2);
    expect(queue.offer(exchange("a", 1))).toBeDefined();
    expect(queue.offer(exchange("b", 1))).toBeDefined();
    expect(queue.offer(exchange("c", 1))).toBeDefined();
    expect(queue.offer(exchange("d", 1))).toBeUndefined();
  });

  it("hands a failed batch's error to each of its exchanges and goes on with the next", async () => {
    let calls = 0;
    const queue = new ProjectionQueue(
      async (exchanges) => {
        calls++;
        if (calls === 1) throw new Error("tier down");
        return exchanges.length;
      },
      { concurrency: 1, capacity: 10 },
    );
    const failed = queue.offer(exchange("a", 1));
    const next = queue.offer(exchange("b", 1));
    await expect(failed).rejects.toThrow("tier down");
    expect(await next).toBe(1);
  });

  it("is idle only once nothing waits and nothing is in flight", async () => {
    const { queue, batches } = heldQueue(1);
    await queue.idle();
    void queue.offer(exchange("a", 1));
    void queue.offer(exchange("b", 1));
    let idle = false;
    void queue.idle().then(() => {
      idle = true;
    });
    batches[0]?.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    expect(batches.map((b) => b.ids)).toEqual([["a-1"], ["b-1"]]);
    batches[1]?.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(true);
  });
});

describe("the reconciler's lanes", () => {
  /** Four stores while the graph is down, then the worker with it back (refusing `poison`, if any). */
  async function backlogOfFour(poison?: string) {
    let down = true;
    const writes: string[][] = [];
    const t = inMemoryMemory(
      {},
      {
        adapt: (s) => {
          const graph = s.graph;
          if (!graph) return s;
          const applyMany = graph.applyMany.bind(graph);
          graph.applyMany = async (items) => {
            const texts = items.map((i) => i.exchange.userMessage);
            if (down || (poison && texts.includes(poison))) throw new Error("neo4j down");
            writes.push(texts);
            return applyMany(items);
          };
          return s;
        },
      },
    );
    for (const n of [1, 2, 3, 4])
      await t.manager.storeConversation({ userId: "u1", userMessage: `message ${n}`, botResponse: "ok" });
    await t.manager.reconcile();
    down = false;
    await t.stores.outbox?.releaseAll();
    const report = await t.manager.reconcile();
    return { ...t, writes, report };
  }

  it("applies one user's waiting rows for a tier in one go: one graph write for four exchanges", async () => {
    const { writes, report, stores } = await backlogOfFour();
    expect(writes).toEqual([["message 1", "message 2", "message 3", "message 4"]]);
    expect(report).toEqual(expect.objectContaining({ applied: 4, failed: 0 }));
    expect(await stores.outbox?.backlog()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
  });

  it("tries a failed lane row by row: one exchange the tier refuses holds back no other", async () => {
    const { writes, report, stores } = await backlogOfFour("message 3");
    expect(writes).toEqual([["message 1"], ["message 2"], ["message 4"]]);
    expect(report.failed).toBe(1);
    expect(report.errors).toEqual([expect.objectContaining({ tier: "neo4j" })]);
    expect(await stores.outbox?.backlog()).toEqual({ redis: 0, chroma: 0, neo4j: 1 });
  });
});
