/**
 * One memory at a time (issue 18): deleting one exchange is final in every tier with the guarantees
 * of a user's erase (in-flight projections do not bring it back, a tier that fails is finished by
 * the reconciler), and a correction is recomputed in every tier, even past an older version in flight.
 */
import { describe, expect, it } from "vitest";
import { gate } from "../../helpers/gate.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryMemory } from "../../helpers/in-memory-memory.js";
import { outage, withOutage } from "../../helpers/outage.js";
import type { InMemoryStores } from "../../in-memory/index.js";

const now = {
  HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0",
  HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY: "0",
};
const settle = () => new Promise((r) => setTimeout(r, 20));
const kept = { userMessage: "My brother Tom works in Berlin.", botResponse: "Sounds busy!" };
const doomed = { userMessage: "My sister Ana lives in Lisbon.", botResponse: "Lovely city!" };

/** `method` of one store held at a gate, but only once armed (earlier calls pass). */
function armedHold<T extends object>(store: T, method: keyof T) {
  const held = gate();
  const state = { armed: false };
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        if (state.armed) await held.pass();
        return value.apply(target, args);
      };
    },
  });
  return { proxy, held, state };
}

/** What every tier holds that mentions a text or an exchange id. */
async function traces(stores: InMemoryStores, userId: string, text: string, exchangeId: string) {
  const { archive, cache, summaries, graph } = stores;
  const cached = (await cache?.recent(userId, 50)) ?? [];
  const summaryRows = (await archive?.summaries(userId)) ?? [];
  // Every summary and exchange vector of the user, through the port (in memory any vector ranks them all).
  const found = await summaries?.search(userId, [1], 1000);
  const indexed = (found?.windows ?? []).map((h) => h.summary);
  const vectors = (found?.exchanges ?? []).map((h) => h.exchange);
  const exported = (await graph?.exportUser(userId)) ?? { entities: [], facts: [] };
  const mentions = (s: string) => s.includes(text);
  return {
    archive: (await archive?.allExchanges(userId))?.filter(
      (e) => e.id === exchangeId || mentions(e.userMessage),
    ).length,
    cache: cached.filter((c) => c.id === exchangeId || mentions(c.userMessage)).length,
    summaryRows: summaryRows.filter((s) => s.exchangeIds.includes(exchangeId) || mentions(s.text)).length,
    summaryIndex: indexed.filter((s) => s.exchangeIds.includes(exchangeId) || mentions(s.text)).length,
    exchangeVectors: vectors.filter((e) => e.exchangeId === exchangeId || mentions(e.text)).length,
    facts: exported.facts.filter((f) => f.exchangeId === exchangeId || mentions(String(f.text))).length,
    entities: exported.entities.filter((e) => mentions(String(e.name))).length,
  };
}
/** The memory on in-memory stores, with `method` of one store held once armed. */
function memoryHolding(store: "graph" | "summaries" | "cache", method: string) {
  let hold: ReturnType<typeof armedHold> | undefined;
  const memory = inMemoryMemory(now, {
    adapt: (s) => {
      hold = armedHold(s[store] as object, method as never);
      return { ...s, [store]: hold.proxy };
    },
  });
  if (!hold) throw new Error("no hold");
  return { ...memory, hold };
}

const none = {
  archive: 0,
  cache: 0,
  summaryRows: 0,
  summaryIndex: 0,
  exchangeVectors: 0,
  facts: 0,
  entities: 0,
};

describe("a projection in flight when its memory is deleted", () => {
  it.each([
    ["neo4j", "graph", "applyMany"],
    ["chroma", "summaries", "upsert"],
    ["redis", "cache", "push"],
  ] as const)("does not bring the memory back in %s", async (_, store, method) => {
    const { manager, stores, hold } = memoryHolding(store, method);
    const userId = uniqueId("one-in-flight");
    await manager.storeConversation({ userId, ...kept });
    await settle();
    await manager.reconcile();
    hold.state.armed = true;
    const storing = manager.storeConversation({ userId, ...doomed });
    await hold.held.reached();
    // The projection has the exchange in hand; the bot is asked to forget just this one meanwhile.
    const { exchangeId } = await storing.catch(() => ({ exchangeId: "" }));
    const id = exchangeId || ((await stores.archive?.recent(userId, 1)) ?? [])[0]?.id || "";
    // A summary rewrite holds its window's lock while the index answers: the delete waits for it.
    const deleting = manager.deleteMemory(userId, id);
    await settle();
    hold.state.armed = false;
    hold.held.open();
    expect((await deleting).exchange.userMessage).toBe(doomed.userMessage);
    await settle();
    await manager.reconcile();
    await manager.reconcile();
    expect(await traces(stores, userId, "Lisbon", id)).toEqual(none);
    // What was not deleted is still in every tier.
    expect(await traces(stores, userId, "Berlin", "-")).toMatchObject({
      archive: 1,
      cache: 1,
      summaryIndex: 1,
      exchangeVectors: 1,
    });
    expect(await stores.erasures?.pending()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
  });
});

describe("deleting one memory", () => {
  it("takes it out of every tier, deletes a window's summary when nothing is left, and 404s a second time", async () => {
    const { manager, stores } = inMemoryMemory(now);
    const userId = uniqueId("one");
    const { exchangeId } = await manager.storeConversation({ userId, ...doomed });
    await settle();
    await manager.reconcile();
    expect((await traces(stores, userId, "Lisbon", exchangeId)).facts).toBeGreaterThan(0);
    expect(await manager.deleteMemory(userId, exchangeId)).toMatchObject({ pending: [] });
    expect(await traces(stores, userId, "Lisbon", exchangeId)).toEqual(none);
    expect(await stores.summaries?.countForUser(userId)).toBe(0);
    await expect(manager.deleteMemory(userId, exchangeId)).rejects.toThrow(/no memory/);
    await manager.reconcile();
    expect(await stores.erasures?.pending()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
  });

  it("is accepted with a tier pending when the tier is down, and the reconciler finishes it", async () => {
    const graphDown = outage();
    const { manager, stores } = inMemoryMemory(now, {
      adapt: (s) => ({ ...s, graph: s.graph && withOutage(s.graph, ["removeExchanges"], graphDown) }),
    });
    const userId = uniqueId("one-partial");
    const { exchangeId } = await manager.storeConversation({ userId, ...doomed });
    await settle();
    await manager.reconcile();
    expect((await manager.deleteMemory(userId, exchangeId)).pending).toEqual(["neo4j"]);
    expect((await traces(stores, userId, "Lisbon", exchangeId)).facts).toBeGreaterThan(0);
    graphDown.down = false;
    await stores.erasures?.releaseAll();
    await manager.reconcile();
    expect(await traces(stores, userId, "Lisbon", exchangeId)).toEqual(none);
  });
});

describe("correcting one memory", () => {
  it("recomputes the recent list, the window summary and the graph facts, and keeps the earlier version", async () => {
    const { manager, stores } = inMemoryMemory(now);
    const userId = uniqueId("correct");
    await manager.storeConversation({ userId, ...kept });
    const { exchangeId } = await manager.storeConversation({ userId, ...doomed });
    await settle();
    await manager.reconcile();
    const { exchange } = await manager.correctMemory(
      userId,
      exchangeId,
      { userMessage: "My sister Ana moved to Porto." },
      "key-1",
    );
    expect(exchange.version).toBe(2);
    await settle();
    await manager.reconcile();
    expect(await traces(stores, userId, "Lisbon", "-")).toEqual(none);
    const porto = await traces(stores, userId, "Porto", exchangeId);
    expect(porto).toMatchObject({
      archive: 1,
      cache: 1,
      summaryRows: 1,
      summaryIndex: 1,
      exchangeVectors: 1,
    });
    expect(porto.facts).toBeGreaterThan(0);
    expect(await traces(stores, userId, "Berlin", "-")).toMatchObject({ archive: 1, cache: 1 });
    expect(await manager.memoryVersions(userId, exchangeId)).toEqual([
      expect.objectContaining({ version: 1, userMessage: doomed.userMessage, changedBy: "key-1" }),
    ]);
  });

  it.each([
    ["neo4j", "graph", "applyMany"],
    ["chroma", "summaries", "upsert"],
    ["redis", "cache", "push"],
  ] as const)(
    "ends with the corrected version in %s when the first version's projection lands last",
    async (_, store, method) => {
      const { manager, stores, hold } = memoryHolding(store, method);
      const userId = uniqueId("correct-in-flight");
      hold.state.armed = true;
      const storing = manager.storeConversation({ userId, ...doomed });
      await hold.held.reached();
      hold.state.armed = false;
      const id = (await stores.archive?.recent(userId, 1))?.[0]?.id ?? "";
      // The first version's projection is held; the correction's runs (a summary rewrite waits for the lock).
      const correcting = manager.correctMemory(
        userId,
        id,
        { userMessage: "My sister Ana moved to Porto." },
        "k",
      );
      await settle();
      hold.held.open();
      await storing;
      await correcting;
      await settle();
      await manager.reconcile();
      expect(await traces(stores, userId, "Lisbon", "-")).toEqual(none);
      const porto = await traces(stores, userId, "Porto", id);
      expect(porto).toMatchObject({ archive: 1, cache: 1, summaryRows: 1, summaryIndex: 1 });
      expect(porto.facts).toBeGreaterThan(0);
    },
  );
});
