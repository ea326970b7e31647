/**
 * Sessions and agents (issue 18) through the REST API on in-memory stores: stored with an exchange,
 * listed, filtered, and a context kept to (or favouring) one session in every tier. The same on the
 * real stores: test/integration/sessions.test.ts.
 */
import { describe, expect, it } from "vitest";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

// Windows of 2, so each session's pair of exchanges makes a summary of its own.
const api = inMemoryApi({
  HIERARCHICAL_MEMORY_SUMMARY_WINDOW: "2",
  HIERARCHICAL_MEMORY_RECENT_CACHE_SIZE: "4",
});
const acme = await api.tenant();
const globex = await api.tenant();

type Item = { source: string; text: string; sessionId?: string; agentId?: string; exchangeIds: string[] };
const json = async <T>(res: Response) => (await res.json()) as T;
const store = (userId: string, body: object) =>
  acme.call(`/v1/users/${userId}/conversations`, { method: "POST", json: body });
const context = (userId: string, body: object) =>
  acme.call(`/v1/users/${userId}/context`, { method: "POST", json: body });

/** Ana in Lisbon told in the "home" thread, in Porto in the "work" one (by another agent), in order. */
async function twoThreads() {
  const userId = uniqueId("threads");
  const turns = [
    {
      sessionId: "home",
      agentId: "buddy",
      userMessage: "My sister Ana lives in Lisbon.",
      botResponse: "Lisbon!",
    },
    { sessionId: "home", agentId: "buddy", userMessage: "Ana loves Lisbon trams.", botResponse: "Nice." },
    {
      sessionId: "work",
      agentId: "coach",
      // "works in", not "lives in": Ana living in Porto would supersede her Lisbon fact (facts that change).
      userMessage: "My colleague Ana works in Porto.",
      botResponse: "Porto!",
    },
    { sessionId: "work", agentId: "coach", userMessage: "Ana took the Porto train.", botResponse: "Good." },
  ];
  const ids: string[] = [];
  for (const t of turns) ids.push((await json<{ exchangeId: string }>(await store(userId, t))).exchangeId);
  return { userId, home: ids.slice(0, 2), work: ids.slice(2) };
}

describe("storing and listing by session and agent", () => {
  it("keeps them with the exchange, filters the archive by either or both, and lists the sessions", async () => {
    const { userId, home, work } = await twoThreads();
    await store(userId, { userMessage: "No thread for this one.", botResponse: "ok" });
    const page = async (query: string) =>
      (
        await json<{ items: { id: string }[] }>(await acme.call(`/v1/users/${userId}/conversations?${query}`))
      ).items
        .map((e) => e.id)
        .sort();
    expect(await page("sessionId=home")).toEqual([...home].sort());
    expect(await page("agentId=coach")).toEqual([...work].sort());
    expect(await page("sessionId=home&agentId=coach")).toEqual([]);
    expect(await page("")).toHaveLength(5);
    const listed = await json<{ items: { sessionId?: string; agentId?: string }[] }>(
      await acme.call(`/v1/users/${userId}/conversations?sessionId=work&limit=1`),
    );
    expect(listed.items[0]).toMatchObject({ sessionId: "work", agentId: "coach" });

    const sessions = await json<{ sessions: { sessionId: string; exchanges: number; agentIds: string[] }[] }>(
      await acme.call(`/v1/users/${userId}/sessions`),
    );
    expect(sessions.sessions.map((s) => [s.sessionId, s.exchanges, s.agentIds])).toEqual([
      ["work", 2, ["coach"]],
      ["home", 2, ["buddy"]],
    ]);
  });

  it("refuses ids the API cannot name, and a scope with nothing to scope to, with a precise 400", async () => {
    const userId = uniqueId("bad");
    const bad = await store(userId, { userMessage: "hi", botResponse: "yo", sessionId: "a b" });
    expect(bad.status).toBe(400);
    expect((await json<{ detail: string }>(bad)).detail).toContain("sessionId");
    expect((await acme.call(`/v1/users/${userId}/conversations?agentId=${"x".repeat(129)}`)).status).toBe(
      400,
    );
    const noScope = await context(userId, { query: "hi", scope: "prefer" });
    expect(noScope.status).toBe(400);
    expect((await json<{ detail: string }>(noScope)).detail).toContain(
      "scope needs a sessionId or an agentId",
    );
  });

  it("answers 404 for another tenant's user, and an empty list for a known user's unknown session", async () => {
    const { userId } = await twoThreads();
    expect((await globex.call(`/v1/users/${userId}/sessions`)).status).toBe(404);
    expect((await globex.call(`/v1/users/${userId}/conversations?sessionId=home`)).status).toBe(404);
    const none = await json<{ items: unknown[] }>(
      await acme.call(`/v1/users/${userId}/conversations?sessionId=nope`),
    );
    expect(none.items).toEqual([]);
  });
});

describe("a context scoped to a session", () => {
  it("answers from that session only, asking every tier for that session alone", async () => {
    const { userId, home } = await twoThreads();
    type Answer = { items: Item[]; degraded: string[]; timings: Record<string, { items: number }> };
    const ask = async (scope: object) =>
      json<Answer>(await context(userId, { query: "Where does Ana live in Lisbon or Porto?", ...scope }));
    const [scoped, everything] = [await ask({ sessionId: "home" }), await ask({})];
    expect(scoped.degraded).toEqual([]);
    expect(scoped.items.length).toBeGreaterThan(0);
    for (const item of scoped.items) {
      expect(item.text).not.toContain("Porto");
      expect(item.sessionId).toBe("home");
      for (const id of item.exchangeIds) expect(home).toContain(id);
    }
    // Each tier answered with the session's share only: half of what it has for the whole user
    // (Chroma: 2 windows and 4 single exchanges).
    const counts = (a: Answer) => ["redis", "postgres", "chroma", "neo4j"].map((t) => a.timings[t]?.items);
    expect(counts(everything).slice(0, 3)).toEqual([4, 4, 6]);
    expect(counts(scoped)).toEqual(counts(everything).map((n) => (n ?? 0) / 2));
  });

  it("finds the session's turns in the archive when the recent list is full of other sessions", async () => {
    const { userId, home } = await twoThreads();
    for (let i = 0; i < 4; i++)
      await store(userId, { sessionId: "later", userMessage: `later ${i}`, botResponse: "ok" });
    const body = await json<{ items: Item[] }>(
      await context(userId, { query: "anything at all", sessionId: "home", maxRecentMessages: 2 }),
    );
    // The recent turns' own text (the semantic tier may find the same turns and be named instead).
    const recent = body.items
      .filter((i) => i.source === "recent" || i.source === "semantic")
      .flatMap((i) => i.exchangeIds);
    expect(recent.sort()).toEqual([...home].sort());
  });

  it("with scope prefer, answers from everything but ranks the session first", async () => {
    const { userId } = await twoThreads();
    const body = await json<{ items: Item[] }>(
      await context(userId, { query: "Where does Ana live?", sessionId: "work", scope: "prefer" }),
    );
    expect(body.items.some((i) => i.sessionId === "home")).toBe(true);
    expect(body.items[0]?.sessionId).toBe("work");
    const agent = await json<{ items: Item[] }>(
      await context(userId, { query: "Where does Ana live?", agentId: "buddy", scope: "prefer" }),
    );
    expect(agent.items[0]?.agentId).toBe("buddy");
  });

  it("answers a known user's empty session with no items, not a 404", async () => {
    const { userId } = await twoThreads();
    const res = await context(userId, { query: "Where does Ana live?", sessionId: "elsewhere" });
    expect(res.status).toBe(200);
    expect((await json<{ items: Item[] }>(res)).items).toEqual([]);
  });
});
