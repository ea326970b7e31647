/**
 * One memory at a time and notes on the real stores (issue 18), through the REST API: a correction
 * is recomputed in every tier (the Redis list, the Chroma window summary, the Neo4j facts), a delete
 * leaves nothing of the exchange in any of them, notes reach every tier and read as notes, and
 * another tenant gets 404 for all of it. The same on in-memory stores: test/unit/http/memories.test.ts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { dropDatabase, ensureDatabase } from "../../infra/local/services/postgres.js";
import { userKey } from "../../shared/domain/identity.js";
import { startApi } from "../helpers/api.js";
import { testConfig } from "../helpers/config.js";
import { uniqueId } from "../helpers/memory.js";

// A database of its own: settle() waits for an empty outbox, which other files' bulk work (imports,
// migrations) would keep filling, and its reconcile would work their rows.
const wsProxy = testConfig().postgres.wsProxy ?? "";
const database = `hm_memories_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const databaseUrl = await ensureDatabase(wsProxy, database);
// Registered first, so it runs after the memory below has closed its pools.
afterAll(() => dropDatabase(wsProxy, database));

// Windows of 2: the exchange to correct and delete shares its window with one other.
const api = await startApi({
  HIERARCHICAL_MEMORY_POSTGRESQL_URL: databaseUrl,
  HIERARCHICAL_MEMORY_SUMMARY_WINDOW: "2",
  HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY: "0",
  // Stores answer before their summaries and facts are derived: deletes race them.
  HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "0",
});
const acme = await api.tenant();
const globex = await api.tenant();
const json = async <T>(res: Response) => (await res.json()) as T;

/** What each tier holds of one user that mentions `word` or names the exchange. */
async function tiers(userId: string, word: string, exchangeId: string) {
  const key = userKey(acme.tenantId, userId);
  const { cache, summaries, graph, archive } = api.stores;
  const [vector] = await api.processing.embedder.embed([word], "query");
  const found = await summaries?.search(key, vector ?? [], 100);
  const hits = found?.windows ?? [];
  const vectors = found?.exchanges ?? [];
  const has = (text: string) => text.includes(word);
  const exported = (await graph?.exportUser(key)) ?? { entities: [], facts: [] };
  return {
    redis: ((await cache?.recent(key, 50)) ?? []).filter((e) => e.id === exchangeId || has(e.userMessage))
      .length,
    postgresSummaries: ((await archive?.summaries(key)) ?? []).filter(
      (s) => s.exchangeIds.includes(exchangeId) || has(s.text),
    ).length,
    chroma: hits.filter((h) => h.summary.exchangeIds.includes(exchangeId) || has(h.summary.text)).length,
    chromaExchanges: vectors.filter((h) => h.exchange.exchangeId === exchangeId || has(h.exchange.text))
      .length,
    neo4jFacts: exported.facts.filter((f) => f.exchangeId === exchangeId || has(String(f.text))).length,
  };
}

/**
 * Until every projection in flight has landed and the outbox is empty (stores do not wait for them),
 * or about 10 s (the assertions then say what is missing).
 */
async function settle() {
  for (let i = 0; i < 100; i++) {
    await api.manager.reconcile();
    const backlog = (await api.stores.outbox?.backlog()) ?? { redis: 0, chroma: 0, neo4j: 0 };
    const erasing = (await api.stores.erasures?.pending()) ?? { redis: 0, chroma: 0, neo4j: 0 };
    if ([...Object.values(backlog), ...Object.values(erasing)].every((n) => n === 0)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every tier holds something of it. */
const everywhere = {
  redis: 1,
  postgresSummaries: 1,
  chroma: 1,
  chromaExchanges: 1,
  neo4jFacts: expect.any(Number),
};
const nowhere = { redis: 0, postgresSummaries: 0, chroma: 0, chromaExchanges: 0, neo4jFacts: 0 };
const held = async (found: Promise<Record<string, number>>) => {
  const counts = await found;
  expect(counts.neo4jFacts).toBeGreaterThan(0);
  return counts;
};

async function store(userId: string, userMessage: string, botResponse = "I see.") {
  const res = await acme.call(`/v1/users/${userId}/conversations`, {
    method: "POST",
    json: { userMessage, botResponse },
  });
  expect(res.status).toBe(201);
  return (await json<{ exchangeId: string }>(res)).exchangeId;
}

describe("one memory at a time, on the real stores", () => {
  it("corrects an exchange in every tier, keeps its earlier version, then deletes it from every tier", async () => {
    const userId = uniqueId("one-real");
    await store(userId, "My brother Tom works in Berlin.");
    const id = await store(userId, "My sister Ana lives in Lisbon.", "Lovely city!");
    await store(userId, "I play the cello.");
    await settle();
    expect(await held(tiers(userId, "Lisbon", id))).toEqual(everywhere);

    const patched = await acme.call(`/v1/users/${userId}/conversations/${id}`, {
      method: "PATCH",
      json: { userMessage: "My sister Ana moved to Porto." },
    });
    expect(patched.status).toBe(200);
    expect((await json<{ memory: { version: number } }>(patched)).memory.version).toBe(2);
    await settle();
    expect(await tiers(userId, "Lisbon", "-")).toEqual(nowhere);
    expect(await held(tiers(userId, "Porto", id))).toEqual(everywhere);
    const { versions } = await json<{ versions: { version: number; userMessage: string }[] }>(
      await acme.call(`/v1/users/${userId}/conversations/${id}/versions`),
    );
    expect(versions.map((v) => [v.version, v.userMessage])).toEqual([[1, "My sister Ana lives in Lisbon."]]);

    // Another user of the tenant and another tenant see none of it and change nothing.
    const stranger = uniqueId("stranger");
    await store(stranger, "Hello.");
    for (const method of ["GET", "PATCH", "DELETE"])
      expect(
        (
          await acme.call(`/v1/users/${stranger}/conversations/${id}`, {
            method,
            ...(method === "PATCH" ? { json: { userMessage: "x" } } : {}),
          })
        ).status,
      ).toBe(404);
    for (const method of ["GET", "PATCH", "DELETE"])
      expect(
        (
          await globex.call(`/v1/users/${userId}/conversations/${id}`, {
            method,
            ...(method === "PATCH" ? { json: { userMessage: "x" } } : {}),
          })
        ).status,
      ).toBe(404);

    const deleted = await acme.call(`/v1/users/${userId}/conversations/${id}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await tiers(userId, "Porto", id)).toEqual(nowhere);
    // The window's other exchange still has its summary; the others are untouched.
    expect(await tiers(userId, "Berlin", "-")).toMatchObject({ redis: 1, postgresSummaries: 1, chroma: 1 });
    expect((await acme.call(`/v1/users/${userId}/conversations/${id}`)).status).toBe(404);
    await settle();
    expect(await api.stores.erasures?.pending()).toMatchObject({ redis: 0, chroma: 0, neo4j: 0 });
  });

  it("stores notes that reach every tier and read as notes, lists them, and deletes one with its window", async () => {
    const userId = uniqueId("notes-real");
    const posted = await acme.call(`/v1/users/${userId}/notes`, {
      method: "POST",
      json: { text: "Ana's cat Miso lives in Lisbon.", source: "operator" },
      headers: { "idempotency-key": "n1" },
    });
    expect(posted.status).toBe(201);
    const { exchangeId: id } = await json<{ exchangeId: string }>(posted);
    await settle();
    expect(await held(tiers(userId, "Miso", id))).toEqual(everywhere);
    const notes = await json<{ items: { id: string; kind: string; source: string }[] }>(
      await acme.call(`/v1/users/${userId}/notes`),
    );
    expect(notes.items).toEqual([expect.objectContaining({ id, kind: "note", source: "operator" })]);
    const context = await json<{ items: { text: string }[] }>(
      await acme.call(`/v1/users/${userId}/context`, {
        method: "POST",
        json: { query: "What is the cat called?" },
      }),
    );
    expect(context.items.map((i) => i.text)).toContain("Note (operator): Ana's cat Miso lives in Lisbon.");
    expect(context.items.some((i) => i.text.includes("Assistant:"))).toBe(false);

    expect((await acme.call(`/v1/users/${userId}/conversations/${id}`, { method: "DELETE" })).status).toBe(
      204,
    );
    // The note was its window's only memory: the summary goes from Postgres and Chroma.
    expect(await tiers(userId, "Miso", id)).toEqual(nowhere);
    expect(await api.stores.summaries?.countForUser(userKey(acme.tenantId, userId))).toBe(0);
    expect((await globex.call(`/v1/users/${userId}/notes`)).status).toBe(404);
  });
});

describe("deleting memories while their projections run, on the real stores", () => {
  it("leaves nothing of 30 memories deleted right after their store, and keeps the others", {
    timeout: 120_000,
  }, async () => {
    const users = Array.from({ length: 30 }, (_, i) => uniqueId(`race${i}`));
    const doomed = await Promise.all(
      users.map(async (userId, i) => {
        const key = userKey(acme.tenantId, userId);
        await api.manager.storeConversation({
          userId: key,
          userMessage: `My brother Tom works in Berlin (${i}).`,
          botResponse: "Busy!",
        });
        const { exchangeId } = await api.manager.storeConversation({
          userId: key,
          userMessage: `My sister Ana lives in Lisbon (${i}).`,
          botResponse: "Lovely city!",
        });
        await api.manager.deleteMemory(key, exchangeId);
        return exchangeId;
      }),
    );
    await settle();
    for (const [i, userId] of users.entries()) {
      expect(await tiers(userId, "Lisbon", doomed[i] ?? ""), userId).toEqual(nowhere);
      expect((await tiers(userId, "Berlin", "-")).redis, userId).toBe(1);
    }
  });
});
