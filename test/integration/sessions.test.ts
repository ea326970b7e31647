/**
 * Sessions and agents on the real stores (issue 18): a context kept to one session gets nothing of
 * another from any tier (Postgres filters, Chroma's where clause, the Cypher filter), and the
 * session listing reads the archive. The same through the REST API on in-memory stores:
 * test/unit/http/sessions.test.ts.
 */
import { describe, expect, it } from "vitest";
import { createTestMemory, uniqueId } from "../helpers/memory.js";

// Windows of 2: each session's pair of turns is a window of its own.
const t = await createTestMemory({ HIERARCHICAL_MEMORY_SUMMARY_WINDOW: "2" });

describe("a context kept to one session, on the real stores", () => {
  it("asks every tier for that session alone and shows nothing of the other", async () => {
    const userId = `${uniqueId("sessions")}/ana`;
    const turns = [
      ["home", "buddy", "My sister Ana lives in Lisbon.", "Lisbon!"],
      ["home", "buddy", "Ana loves Lisbon trams.", "Nice."],
      // "works in", not "lives in": Ana living in Porto would supersede her Lisbon fact (facts that change).
      ["work", "coach", "My colleague Ana works in Porto.", "Porto!"],
      ["work", "coach", "Ana took the Porto train.", "Good."],
    ] as const;
    for (const [sessionId, agentId, userMessage, botResponse] of turns)
      await t.manager.storeConversation({ userId, sessionId, agentId, userMessage, botResponse });
    await t.manager.reconcile();
    const ask = (scope?: { sessionId?: string; agentId?: string }) =>
      t.manager.getConversationContext({
        userId,
        currentQuery: "Where does Ana live in Lisbon or Porto?",
        ...(scope ? { scope, scopeMode: "only" as const } : {}),
      });
    const [everything, home, coach] = [
      await ask(),
      await ask({ sessionId: "home" }),
      await ask({ agentId: "coach" }),
    ];
    const counts = (c: typeof home) =>
      (["redis", "postgres", "chroma", "neo4j"] as const).map((x) => c.timings[x].items);
    expect(home.degraded).toEqual([]);
    // Chroma: 2 windows and their 4 exchanges.
    expect(counts(everything).slice(0, 3)).toEqual([4, 4, 6]);
    expect(counts(home)).toEqual(counts(everything).map((n) => n / 2));
    expect(counts(coach)).toEqual(counts(everything).map((n) => n / 2));
    expect(home.items.length).toBeGreaterThan(0);
    for (const item of home.items) {
      expect(item.text).not.toContain("Porto");
      expect(item.sessionId).toBe("home");
    }
    for (const item of coach.items) expect(item.text).not.toContain("Lisbon");

    expect(
      (await t.manager.listSessions(userId, 10)).map((s) => [s.sessionId, s.exchanges, s.agentIds]),
    ).toEqual([
      ["work", 2, ["coach"]],
      ["home", 2, ["buddy"]],
    ]);
  });
});
