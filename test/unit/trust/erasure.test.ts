/**
 * Erasure is final (issue 17): projections in flight at the erase do not bring the user back, a
 * partly failed erase is finished by the reconciler, orphans are swept, and nothing of the user
 * survives in any tier, however stores and erases interleave.
 */
import { describe, expect, it } from "vitest";
import type { TestStores } from "../../helpers/erasure.js";
import { everythingOf, nothingLeft, plantProjections } from "../../helpers/erasure.js";
import { gate, heldAt } from "../../helpers/gate.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryMemory } from "../../helpers/in-memory-memory.js";
import { outage, withOutage } from "../../helpers/outage.js";

/** Erase right away; the final pass right after the first (tests need not wait out the minute). */
const now = {
  HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0",
  HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY: "0",
};
const settle = () => new Promise((r) => setTimeout(r, 20));
// Claims too (the sister's and the user's slots): erasure reaches facts with validity.
const fact = {
  userMessage: "My sister Ana lives in Lisbon. I moved to Porto last week.",
  botResponse: "Lovely city!",
};

async function expectNothingOf(stores: TestStores, userId: string) {
  expect(await everythingOf(stores, userId)).toEqual(nothingLeft);
}

describe("a projection in flight when its user is erased", () => {
  it.each([
    ["neo4j", "graph", "applyMany"],
    ["chroma", "summaries", "upsert"],
    ["redis", "cache", "push"],
  ] as const)("does not bring the user back in %s", async (_, store, method) => {
    const held = gate();
    const { manager, stores } = inMemoryMemory(now, {
      adapt: (s) => ({ ...s, [store]: heldAt(s[store] as object, method as never, held) }),
    });
    const userId = uniqueId("in-flight");
    const storing = manager.storeConversation({ userId, ...fact });
    await held.reached();
    // The projection has its exchange in hand; the user asks to be forgotten meanwhile.
    await manager.deleteUser(userId);
    held.open();
    await storing;
    await settle();
    await manager.reconcile();
    await expectNothingOf(stores, userId);
  });
});

describe("an erase a tier cannot finish", () => {
  it("is accepted with the tier pending, and the reconciler finishes it once the tier answers", async () => {
    const graphDown = outage();
    const { manager, stores } = inMemoryMemory(now, {
      adapt: (s) => ({ ...s, graph: s.graph && withOutage(s.graph, ["deleteUser"], graphDown) }),
    });
    const userId = uniqueId("partial");
    await manager.storeConversation({ userId, ...fact });
    await manager.reconcile();
    expect(await manager.deleteUser(userId)).toEqual({ exchanges: 1, pending: ["neo4j"] });
    expect(await stores.erasures?.pending()).toMatchObject({ neo4j: 1 });
    expect((await everythingOf(stores, userId)).graph.facts).toBeGreaterThan(0);

    await manager.reconcile();
    expect((await everythingOf(stores, userId)).graph.facts).toBeGreaterThan(0);
    graphDown.down = false;
    await stores.erasures?.releaseAll?.();
    await manager.reconcile();
    await expectNothingOf(stores, userId);
    // The final pass, then the tasks (and the user id in them) are gone.
    await manager.reconcile();
    expect(await stores.erasures?.pending()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
  });
});

describe("the orphan sweep", () => {
  it("erases from each projection what the archive has no user for, and leaves live users alone", async () => {
    const { manager, stores } = inMemoryMemory(now);
    const live = uniqueId("live");
    await manager.storeConversation({ userId: live, ...fact });
    await manager.reconcile();
    // Left behind by some earlier failure: projection data of a user the archive does not have.
    const ghost = uniqueId("ghost");
    await plantProjections(stores, ghost);
    expect((await everythingOf(stores, ghost)).graph.facts).toBeGreaterThan(0);

    expect(await manager.sweepOrphans()).toEqual({ redis: 1, chroma: 1, neo4j: 1 });
    await expectNothingOf(stores, ghost);
    expect((await everythingOf(stores, live)).graph.facts).toBeGreaterThan(0);
    expect(await manager.sweepOrphans()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
  });
});

describe("cache-only erase", () => {
  it("forgets the user's idempotency keys too: the same key after the erase stores anew", async () => {
    const { manager } = inMemoryMemory(
      { HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: "false" },
      { tiers: { postgres: false } },
    );
    const userId = uniqueId("cache-only");
    const input = { userId, ...fact, idempotencyKey: "k1" };
    const first = await manager.storeConversation(input);
    await manager.deleteUser(userId);
    const again = await manager.storeConversation(input);
    expect(again.duplicate).toBe(false);
    expect(again.exchangeId).not.toBe(first.exchangeId);
  });
});

describe("store-then-erase, 200 times over", () => {
  it("leaves nothing of any user in any tier once the reconciler settles", async () => {
    const { manager, stores } = inMemoryMemory(now);
    const users = Array.from({ length: 200 }, (_, i) => uniqueId(`race${i}`));
    await Promise.all(
      users.map(async (userId, i) => {
        await manager.storeConversation({ userId, ...fact, userMessage: `${fact.userMessage} (${i})` });
        await manager.deleteUser(userId);
      }),
    );
    await settle();
    await manager.reconcile();
    await manager.reconcile();
    for (const userId of users) await expectNothingOf(stores, userId);
    expect(await manager.sweepOrphans()).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
  });
});
