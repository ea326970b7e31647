/**
 * Contextual BM25 in the archive: an exchange is found by its own words and by its sitting's, and
 * favoured when by a speaker, or from a period, the query names.
 */
import { describe, expect, it } from "vitest";
import { createTestMemory, uniqueId } from "../helpers/memory.js";

const t = await createTestMemory();
const { manager } = t;
const archive = t.stores.archive;
if (!archive) throw new Error("these tests need Postgres");

const minutes = (n: number) => n * 60_000;

/** Turns as [text, minute after 1 January 2025, speaker?]. */
async function store(userId: string, turns: [string, number, string?][]) {
  const ids: string[] = [];
  for (const [text, atMinute, speaker] of turns) {
    const { exchangeId } = await manager.storeConversation({
      userId,
      userMessage: text,
      botResponse: "",
      speaker,
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

  it("favours what a speaker the query names said over what others said to them", async () => {
    const turns = (joanna?: string, nate?: string): [string, number, string?][] => [
      ...filler(6, 0),
      ["Joanna, writing and hiking sound great!", 100, nate],
      ["I love writing and hiking.", 200, joanna],
    ];
    const query = "Does Joanna like writing and hiking?";
    const named = uniqueId("spk");
    const ids = await store(named, turns("Joanna", "Nate"));
    expect((await archive.search(named, query, 5))[0]?.exchange.id).toBe(ids[7]);
    // Without speakers, the turn that says her name wins: the speaker is what changed the order.
    const unnamed = uniqueId("nospk");
    const plain = await store(unnamed, turns());
    expect((await archive.search(unnamed, query, 5))[0]?.exchange.id).toBe(plain[6]);
  });

  it("favours exchanges from the period the query names", async () => {
    const userId = uniqueId("when");
    const day = 24 * 60;
    const ids = await store(userId, [
      ...filler(6, 0),
      ["We went camping by the lake.", 120 * day],
      ["We went camping by the lake again.", 220 * day],
    ]);
    const first = async (query: string, periods: { start: Date; end: Date }[] = []) =>
      (await archive.search(userId, query, 5, { periods }))[0]?.exchange.id;
    // Alike but for the date: the newer wins unless the query names the older one's period.
    expect(await first("camping lake")).toBe(ids[7]);
    const may = { start: new Date("2025-05-01T00:00:00Z"), end: new Date("2025-06-01T00:00:00Z") };
    expect(await first("camping lake", [may])).toBe(ids[6]);
    // Through the assembler, which reads the period from the query's own words.
    const context = await manager.getConversationContext({
      userId,
      currentQuery: "When did we go camping by the lake in May 2025?",
      now: new Date("2025-12-01T00:00:00Z"),
    });
    expect(context.items[0]?.exchangeIds).toEqual([ids[6]]);
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
