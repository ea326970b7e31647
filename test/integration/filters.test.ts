/**
 * Metadata and time filters on the real stores (issue 18): a filtered context gets nothing the filter
 * leaves out from any tier (Postgres's jsonpath, Chroma windows by their shared metadata, Neo4j facts
 * by their exchange's), and the cache is skipped rather than ignoring it. The same through the REST
 * API on in-memory stores: test/unit/http/filters.test.ts; each store's cases: the contract suites.
 */
import { describe, expect, it } from "vitest";
import { parseFilter } from "../../shared/domain/filter-grammar.js";
import { createTestMemory, uniqueId } from "../helpers/memory.js";
import { topicTurns } from "../helpers/topics.js";

// Windows of 2: each topic's pair of turns is a window of its own.
const t = await createTestMemory({ HIERARCHICAL_MEMORY_SUMMARY_WINDOW: "2" });

describe("a filtered context, on the real stores", () => {
  it("asks every tier for what the filter selects and shows nothing else", async () => {
    const userId = `${uniqueId("filters")}/ana`;
    for (const { topic, priority, at, userMessage, botResponse } of topicTurns)
      await t.manager.storeConversation({
        userId,
        userMessage,
        botResponse,
        metadata: { topic, priority },
        timestamp: new Date(at),
      });
    await t.manager.reconcile();
    const ask = (filter?: Record<string, unknown>) =>
      t.manager.getConversationContext({
        userId,
        currentQuery: "Where does Ana live in Lisbon or Porto?",
        ...(filter ? { filter: parseFilter(filter) } : {}),
      });
    const [everything, family, late] = [
      await ask(),
      await ask({ "metadata.topic": "family" }),
      await ask({ "metadata.priority": { $gte: 2 }, createdAt: { $gte: "2026-02-01T00:00:00Z" } }),
    ];
    const counts = (c: typeof family) =>
      (["postgres", "chroma", "neo4j"] as const).map((x) => c.timings[x].items);
    expect(family.degraded).toEqual([]);
    // Chroma: 2 windows and their 4 exchanges.
    expect(counts(everything)[1]).toBe(6);
    expect(counts(family)).toEqual(counts(everything).map((n) => n / 2));
    expect(counts(late)).toEqual(counts(everything).map((n) => n / 2));
    expect(family.timings.redis.status).toBe("skipped");
    expect(family.items.length).toBeGreaterThan(0);
    for (const item of family.items) expect(item.text).not.toContain("Porto");
    for (const item of late.items) expect(item.text).not.toContain("Lisbon");

    const page = await t.manager.listConversations(userId, 10, undefined, {
      filter: parseFilter({ "metadata.topic": { $ne: "family" } }),
    });
    expect(page.items.map((e) => e.userMessage)).toEqual([
      "Ana took the Porto train.",
      "My colleague Ana works in Porto.",
    ]);
  });
});
