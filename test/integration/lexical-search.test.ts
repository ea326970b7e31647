/** Contextual BM25 in the archive: an exchange is found by its own words and by its sitting's. */
import { describe, expect, it } from "vitest";
import { createTestManager, uniqueId } from "../helpers/memory.js";

const manager = await createTestManager();
const archive = manager.stores.archive;
if (!archive) throw new Error("these tests need Postgres");

const minutes = (n: number) => n * 60_000;

async function store(userId: string, turns: [string, number][]) {
  const ids: string[] = [];
  for (const [text, atMinute] of turns) {
    const { exchangeId } = await manager.storeConversation({
      userId,
      userMessage: text,
      botResponse: "",
      timestamp: new Date(Date.UTC(2025, 0, 1) + minutes(atMinute)),
    });
    ids.push(exchangeId);
  }
  return ids;
}

const filler = (n: number, start: number): [string, number][] =>
  Array.from({ length: n }, (_, i) => [`weather chat number ${i} about clouds and rain`, start + i]);

describe("archive search", () => {
  it("ranks the exchange holding the rare query words first", async () => {
    const userId = uniqueId("lex");
    const ids = await store(userId, [...filler(6, 0), ["I bought a red kayak for the lake", 600]]);
    const hits = await archive.search(userId, "kayak on the lake", 5);
    expect(hits[0]?.exchange.id).toBe(ids[6]);
  });

  it("finds a reply through the question just before it, in the same sitting only", async () => {
    const userId = uniqueId("ctx");
    const ids = await store(userId, [
      ...filler(5, 0),
      ["What did you research for your thesis?", 100],
      ["Adoption agencies, mostly in Ohio.", 101],
      // The very next exchange, but three hours later: another sitting, so the question is not its context.
      ["Pottery classes, mostly on Sundays.", 280],
      ...filler(5, 300),
    ]);
    const hits = await archive.search(userId, "thesis research", 10);
    const found = hits.map((h) => h.exchange.id);
    expect(found[0]).toBe(ids[5]);
    expect(found).toContain(ids[6]);
    expect(found).not.toContain(ids[7]);
  });

  it("never returns another user's exchanges, and nothing for stopwords only", async () => {
    const [a, b] = [uniqueId("a"), uniqueId("b")];
    await store(a, [["my zanzibar trip was wonderful", 0]]);
    await store(b, [["nothing in common here", 0]]);
    expect(await archive.search(b, "zanzibar trip", 10)).toEqual([]);
    expect((await archive.search(a, "zanzibar trip", 10)).map((h) => h.exchange.userId)).toEqual([a]);
    expect(await archive.search(a, "what was the", 10)).toEqual([]);
  });
});
