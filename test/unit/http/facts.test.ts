/**
 * Facts that change (issue 18) through the REST API on in-memory stores, in scripted conversations:
 * a change ("I live in Lisbon" ... "I moved to Porto"), a correction, a contradiction, and a place
 * only mentioned. Context gives what holds now, or with asOf what held then. The same on the real
 * stores: test/integration/facts.test.ts.
 */
import { describe, expect, it } from "vitest";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

const api = inMemoryApi();
const acme = await api.tenant();
const globex = await api.tenant();

type Item = {
  source: string;
  text: string;
  validFrom?: string;
  invalidAt?: string;
  superseded?: boolean;
  exchangeIds: string[];
};
const json = async <T>(res: Response) => (await res.json()) as T;

/** Stores each [day of 2025, what the user said] in order, settled in every tier. */
async function conversation(turns: [string, string][]) {
  const userId = uniqueId("facts");
  const ids: string[] = [];
  for (const [day, userMessage] of turns) {
    const res = await acme.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage, botResponse: "Noted.", timestamp: `2025-${day}T12:00:00Z` },
    });
    expect(res.status).toBe(201);
    ids.push((await json<{ exchangeId: string }>(res)).exchangeId);
  }
  await api.manager.reconcile();
  return { userId, ids };
}

const context = async (userId: string, query: string, asOf?: string) => {
  const res = await acme.call(`/v1/users/${userId}/context`, {
    method: "POST",
    json: { query, ...(asOf ? { asOf } : {}) },
  });
  expect(res.status).toBe(200);
  return (await json<{ items: Item[] }>(res)).items;
};
const facts = async (userId: string, query: string, asOf?: string) =>
  (await context(userId, query, asOf)).filter((i) => i.source === "graph");

describe("facts that change, through REST", () => {
  it("a change: context gives where the user lives now, and as of a time where they lived then", async () => {
    const { userId, ids } = await conversation([
      ["01-10", "I live in Lisbon."],
      ["02-01", "The weather is nice today."],
      ["03-01", "I moved to Porto last week."],
    ]);
    const now = await facts(userId, "Where do I live?");
    expect(now.map((f) => f.text)).toEqual(["User lives in Porto."]);
    expect(now[0]).toMatchObject({ validFrom: "2025-03-01T12:00:00.000Z", exchangeIds: [ids[2]] });
    expect(now[0]).not.toHaveProperty("invalidAt");

    // The exchange that said Lisbon is still there (it was said), marked as no longer holding.
    const said = (await context(userId, "Where do I live?")).filter((i) => i.source !== "graph");
    expect(said.find((i) => i.exchangeIds[0] === ids[0])).toMatchObject({ superseded: true });
    expect(said.find((i) => i.exchangeIds[0] === ids[2])).not.toHaveProperty("superseded");

    const then = await context(userId, "Where do I live?", "2025-02-15T00:00:00Z");
    expect(then.find((i) => i.exchangeIds[0] === ids[0] && i.source !== "graph")).not.toHaveProperty(
      "superseded",
    );
    expect(then.filter((i) => i.source === "graph")).toEqual([
      expect.objectContaining({
        text: "User lives in Lisbon.",
        validFrom: "2025-01-10T12:00:00.000Z",
        invalidAt: "2025-03-01T12:00:00.000Z",
      }),
    ]);
    // Nothing said after asOf: the move is not in that context at all.
    expect(then.some((i) => i.text.includes("Porto"))).toBe(false);
    expect(then.length).toBeGreaterThan(1);

    const exported = await json<{ graph: { facts: Record<string, unknown>[] } }>(
      await acme.call(`/v1/users/${userId}/export`),
    );
    expect(exported.graph.facts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          exchangeId: ids[0],
          slot: "user|lives_in",
          validFrom: Date.parse("2025-01-10T12:00:00Z"),
          invalidAt: Date.parse("2025-03-01T12:00:00Z"),
          endedBy: ids[2],
        }),
      ]),
    );
  });

  it("a correction supersedes at once", async () => {
    const { userId } = await conversation([
      ["04-01", "I work at Google."],
      ["04-01", "Actually, I work at Microsoft, not Google."],
    ]);
    expect((await facts(userId, "Where do I work?")).map((f) => f.text)).toEqual([
      "User works at Microsoft.",
    ]);
  });

  it("a contradiction: the later statement holds, the earlier one is what held before it", async () => {
    const { userId } = await conversation([
      ["05-01", "My favourite colour is blue."],
      ["06-01", "My favourite colour is green."],
    ]);
    expect((await facts(userId, "What is my favourite colour?")).map((f) => f.text)).toEqual([
      "User's favourite colour is green.",
    ]);
    expect(
      (await facts(userId, "What is my favourite colour?", "2025-05-15T00:00:00Z")).map((f) => f.text),
    ).toEqual(["User's favourite colour is blue."]);
  });

  it("a place only mentioned, asked about or wished for is no fact about the user", async () => {
    const { userId } = await conversation([
      ["07-01", "I live in Porto."],
      ["07-02", "Have you been to Lisbon?"],
      ["07-03", "I'd love to live in Lisbon someday."],
      ["07-04", "My sister lives in Lisbon."],
    ]);
    const now = (await facts(userId, "Where do I live? Lisbon?")).map((f) => f.text);
    expect(now).toContain("User lives in Porto.");
    expect(now).toContain("The user's sister lives in Lisbon.");
    expect(now).not.toContain("User lives in Lisbon.");
  });

  it("a negation ends the fact without stating a new one", async () => {
    const { userId } = await conversation([
      ["08-01", "I have a cat named Tom."],
      ["08-10", "I don't have a cat anymore."],
    ]);
    expect((await facts(userId, "Do I have a pet?")).map((f) => f.text)).toEqual([
      "User no longer has a cat.",
    ]);
    expect((await facts(userId, "Do I have a pet?", "2025-08-05T00:00:00Z")).map((f) => f.text)).toEqual([
      "User has a cat named Tom.",
    ]);
  });

  it("one tenant's claim never supersedes another's, for the same user id", async () => {
    const { userId } = await conversation([["09-01", "I live in Lisbon."]]);
    const res = await globex.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: "I live in Porto.", botResponse: "Ok.", timestamp: "2025-09-02T12:00:00Z" },
    });
    expect(res.status).toBe(201);
    await api.manager.reconcile();
    expect((await facts(userId, "Where do I live?")).map((f) => [f.text, f.invalidAt])).toEqual([
      ["User lives in Lisbon.", undefined],
    ]);
    const theirs = await globex.call(`/v1/users/${userId}/context`, {
      method: "POST",
      json: { query: "Where do I live?", asOf: "2025-12-01T00:00:00Z" },
    });
    const items = ((await theirs.json()) as { items: Item[] }).items;
    expect(items.filter((i) => i.source === "graph").map((i) => i.text)).toEqual(["User lives in Porto."]);
    expect(JSON.stringify(items)).not.toContain("Lisbon");
  });

  it("refuses an asOf that is not a time with an offset, naming the field", async () => {
    const res = await acme.call(`/v1/users/${uniqueId("facts")}/context`, {
      method: "POST",
      json: { query: "Where do I live?", asOf: "last tuesday" },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(JSON.stringify(await res.json())).toContain("asOf");
  });
});
