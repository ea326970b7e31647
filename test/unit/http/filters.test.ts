/**
 * Metadata and time filters (issue 18) through the REST API on in-memory stores: a context and the
 * archive listing keep to what the filter selects in every tier, a bad filter is a precise 400, and
 * a filter never reaches another tenant's user. The stores' own cases: test/contracts/filter-cases.ts.
 */
import { describe, expect, it } from "vitest";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";
import { topicTurns } from "../../helpers/topics.js";

// Windows of 2, so each topic's pair of exchanges makes a summary of its own.
const api = inMemoryApi({ HIERARCHICAL_MEMORY_SUMMARY_WINDOW: "2" });
const acme = await api.tenant();
const globex = await api.tenant();

type Item = { source: string; text: string; exchangeIds: string[] };
type Answer = {
  items: Item[];
  degraded: string[];
  timings: Record<string, { items: number; status: string }>;
};
const json = async <T>(res: Response) => (await res.json()) as T;
const store = (userId: string, body: object) =>
  acme.call(`/v1/users/${userId}/conversations`, { method: "POST", json: body });
const context = (userId: string, body: object) =>
  acme.call(`/v1/users/${userId}/context`, { method: "POST", json: body });
const listing = (userId: string, filter: unknown, on = acme) =>
  on.call(`/v1/users/${userId}/conversations?filter=${encodeURIComponent(JSON.stringify(filter))}`);

async function twoTopics() {
  const userId = uniqueId("topics");
  const ids: string[] = [];
  for (const { topic, priority, at, userMessage, botResponse } of topicTurns) {
    const body = { userMessage, botResponse, metadata: { topic, priority }, timestamp: at };
    ids.push((await json<{ exchangeId: string }>(await store(userId, body))).exchangeId);
  }
  return { userId, family: ids.slice(0, 2), work: ids.slice(2) };
}

describe("a filtered context", () => {
  it("answers from what the filter selects only, in every tier that can apply it", async () => {
    const { userId, family } = await twoTopics();
    const ask = async (extra: object) =>
      json<Answer>(await context(userId, { query: "Where does Ana live in Lisbon or Porto?", ...extra }));
    const [filtered, everything] = [await ask({ filter: { "metadata.topic": "family" } }), await ask({})];
    expect(filtered.degraded).toEqual([]);
    expect(filtered.items.length).toBeGreaterThan(0);
    for (const item of filtered.items) {
      expect(item.text).not.toContain("Porto");
      for (const id of item.exchangeIds) expect(family).toContain(id);
    }
    // The cache keeps no metadata: it is skipped, and the archive gives the recent turns.
    expect(filtered.timings.redis?.status).toBe("skipped");
    expect(new Set(filtered.items.flatMap((i) => i.exchangeIds))).toEqual(new Set(family));
    const counts = (a: Answer) => ["postgres", "chroma", "neo4j"].map((t) => a.timings[t]?.items ?? 0);
    expect(counts(filtered)).toEqual(counts(everything).map((n) => n / 2));
  });

  it("applies a time range and a numeric range, and keeps the cache for a filter on time only", async () => {
    const { userId, work } = await twoTopics();
    const byTime = await json<Answer>(
      await context(userId, { query: "Ana", filter: { createdAt: { $gte: "2026-02-01T00:00:00Z" } } }),
    );
    expect(byTime.timings.redis?.status).toBe("ok");
    expect(new Set(byTime.items.flatMap((i) => i.exchangeIds))).toEqual(new Set(work));
    const byPriority = await json<Answer>(
      await context(userId, { query: "Ana", filter: { "metadata.priority": { $gt: 2 } } }),
    );
    expect(new Set(byPriority.items.flatMap((i) => i.exchangeIds))).toEqual(new Set(work));
  });
});

describe("a filtered archive listing", () => {
  it("pages through what the filter selects, newest first", async () => {
    const { userId, family, work } = await twoTopics();
    const ids = async (res: Response) =>
      (await json<{ items: { id: string }[] }>(res)).items.map((e) => e.id);
    expect(await ids(await listing(userId, { "metadata.topic": "work" }))).toEqual([...work].reverse());
    const either = { $or: [{ "metadata.priority": 1 }, { createdAt: { $gte: "2026-03-11T00:00:00Z" } }] };
    expect(await ids(await listing(userId, either))).toEqual([work[1], family[1], family[0]]);
    const first = await json<{ items: { id: string }[]; nextCursor: string }>(
      await acme.call(
        `/v1/users/${userId}/conversations?limit=1&filter=${encodeURIComponent('{"metadata.topic":"family"}')}`,
      ),
    );
    expect(first.items.map((e) => e.id)).toEqual([family[1]]);
    const next = `/v1/users/${userId}/conversations?limit=1&cursor=${first.nextCursor}&filter=${encodeURIComponent('{"metadata.topic":"family"}')}`;
    expect(await ids(await acme.call(next))).toEqual([family[0]]);
    expect(await ids(await listing(userId, { "metadata.topic": "none" }))).toEqual([]);
  });
});

describe("a bad filter", () => {
  it.each([
    [{ "metadata.topic": { $regex: "f.*" } }, "filter.metadata.topic.$regex: unknown operator"],
    [{ topic: "family" }, "filter.topic: unknown field"],
    [{ createdAt: { $gte: "last week" } }, "filter.createdAt.$gte: must be an ISO 8601 date-time"],
    [{ $or: [] }, "filter.$or: must be a non-empty list of filters"],
  ])("%j is a 400 that says what is wrong, on the context and the listing", async (filter, detail) => {
    const { userId } = await twoTopics();
    for (const res of [await context(userId, { query: "Ana", filter }), await listing(userId, filter)]) {
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect((await json<{ detail: string }>(res)).detail).toContain(detail);
    }
  });

  it("is a 400 when the listing's filter is not JSON, or is not an object", async () => {
    const { userId } = await twoTopics();
    const notJson = await acme.call(`/v1/users/${userId}/conversations?filter=%7Btopic`);
    expect(notJson.status).toBe(400);
    expect((await json<{ detail: string }>(notJson)).detail).toContain("filter: must be a JSON object");
    expect((await listing(userId, ["metadata.topic"])).status).toBe(400);
    expect((await context(userId, { query: "Ana", filter: "metadata.topic" })).status).toBe(400);
  });
});

describe("filters and tenants", () => {
  it("never reach another tenant's user: 404, whatever the filter", async () => {
    const { userId } = await twoTopics();
    expect((await listing(userId, { "metadata.topic": "family" }, globex)).status).toBe(404);
    const res = await globex.call(`/v1/users/${userId}/context`, {
      method: "POST",
      json: { query: "Ana", filter: { "metadata.topic": { $ne: "x" } } },
    });
    expect(res.status).toBe(404);
  });
});
