import { describe, expect, it } from "vitest";
import { cut, rankAndDedupe, timeDecay } from "../../shared/memory/assembler/scoring.js";
import type { Candidate, ContextItem } from "../../shared/memory/assembler/types.js";

const now = new Date("2025-06-01T00:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const decay = { halfLifeDays: 30, floor: 0.2 };
const noDecay = { halfLifeDays: 30, floor: 1 };
const candidate = (over: Partial<Candidate>): Candidate => ({
  source: "archive",
  text: "",
  timestamp: now,
  exchangeIds: [],
  ...over,
});

describe("timeDecay", () => {
  it("is 1 now, halves above the floor per half-life, and never drops below the floor", () => {
    expect(timeDecay(now, now, decay)).toBe(1);
    expect(timeDecay(daysAgo(30), now, decay)).toBeCloseTo(0.2 + 0.8 * 0.5);
    expect(timeDecay(daysAgo(3000), now, decay)).toBeCloseTo(0.2);
    expect(timeDecay(new Date(now.getTime() + 1e9), now, decay)).toBe(1);
  });
});

describe("rankAndDedupe", () => {
  it("ranks an exchange whose claims no longer hold below one that holds, and keeps a claim beside its exchange", () => {
    const items = rankAndDedupe(
      [
        candidate({ text: "User: I live in Lisbon.", exchangeIds: ["old"], superseded: true }),
        candidate({ text: "User: I moved to Porto.", exchangeIds: ["new"] }),
        candidate({ source: "graph", text: "User lives in Porto.", exchangeIds: ["new"], claim: true }),
      ],
      now,
      noDecay,
    );
    const archive = items.filter((i) => i.source === "archive");
    expect(archive.map((i) => [i.exchangeIds[0], i.superseded])).toEqual([
      ["new", undefined],
      ["old", true],
    ]);
    // Halved: without the mark the first archive hit (1/5) would lead the second (1/6, plus the claim's vote 0.1/5).
    expect((archive[1]?.score ?? 0) / (archive[0]?.score ?? 1)).toBeCloseTo(
      (0.5 * (1 / 5)) / (1 / 6 + 0.1 / 5),
      3,
    );
    expect(items.filter((i) => i.source === "graph").map((i) => i.exchangeIds)).toEqual([["new"]]);
  });

  it("keeps each tier's order when tiers do not overlap, the archive's first hit on top", () => {
    const items = rankAndDedupe(
      [
        candidate({ text: "first cello hit", exchangeIds: ["a1"] }),
        candidate({ text: "second violin hit", exchangeIds: ["a2"] }),
        candidate({ source: "recent", text: "just now about weather", exchangeIds: ["r1"] }),
      ],
      now,
      noDecay,
    );
    expect(items.map((i) => i.exchangeIds[0])).toEqual(["a1", "a2", "r1"]);
    expect(items[0]?.score).toBe(1);
  });

  it("lifts an exchange that several tiers agree on above one only a single tier found", () => {
    const items = rankAndDedupe(
      [
        candidate({ text: "alpha beta", exchangeIds: ["solo"] }),
        candidate({ text: "gamma delta", exchangeIds: ["agreed"] }),
        candidate({ source: "recent", text: "gamma delta", exchangeIds: ["agreed"] }),
        candidate({ source: "graph", text: "User likes gamma.", exchangeIds: ["agreed"] }),
      ],
      now,
      noDecay,
    );
    expect(items.map((i) => i.exchangeIds[0])).toEqual(["agreed", "solo"]);
    // One item per exchange, with the exchange's own text rather than the fact drawn from it.
    expect(items[0]?.text).toBe("gamma delta");
  });

  it("counts a matching summary as a vote for the exchanges inside it", () => {
    const items = rankAndDedupe(
      [
        candidate({ source: "recent", text: "first recent", exchangeIds: ["e1"] }),
        candidate({ source: "graph", text: "a fact", exchangeIds: ["e2"] }),
        candidate({ source: "summary", text: "window about the fact", exchangeIds: ["e2", "e3"] }),
      ],
      now,
      noDecay,
    );
    expect(items[0]?.exchangeIds).toEqual(["e2"]);
  });

  it("never lets a summary's vote push the archive's best hit down", () => {
    const items = rankAndDedupe(
      [
        candidate({ text: "first lexical", exchangeIds: ["e1"] }),
        candidate({ text: "second lexical", exchangeIds: ["e2"] }),
        candidate({ source: "summary", text: "window about the second", exchangeIds: ["e2", "e3"] }),
      ],
      now,
      noDecay,
    );
    expect(items.map((i) => i.exchangeIds[0])).toEqual(["e1", "e2", "e2"]);
  });

  it("drops a summary whose exchanges are all already in, and keeps one that adds any", () => {
    const items = rankAndDedupe(
      [
        candidate({ text: "cello one", exchangeIds: ["e1"] }),
        candidate({ text: "cello two", exchangeIds: ["e2"] }),
        candidate({ source: "summary", text: "summary of cello talk", exchangeIds: ["e1", "e2"] }),
        candidate({ source: "summary", text: "another cello window", exchangeIds: ["e2", "e3"] }),
      ],
      now,
      noDecay,
    );
    expect(items.map((i) => i.text)).toEqual(["cello one", "cello two", "another cello window"]);
  });

  it("drops near-duplicate texts", () => {
    const items = rankAndDedupe(
      [
        candidate({ text: "Ana surfs in Lisbon every weekend", exchangeIds: ["a"] }),
        candidate({ text: "Ana surfs in Lisbon every weekend!", exchangeIds: ["b"] }),
      ],
      now,
      noDecay,
    );
    expect(items).toHaveLength(1);
  });

  it("lets age break a tie between equally ranked items", () => {
    const items = rankAndDedupe(
      [
        candidate({ source: "recent", text: "old news", exchangeIds: ["old"], timestamp: daysAgo(90) }),
        candidate({ text: "fresh news", exchangeIds: ["new"], timestamp: daysAgo(1) }),
      ],
      now,
      { halfLifeDays: 30, floor: 0.9 },
    );
    expect(items[0]?.exchangeIds).toEqual(["new"]);
  });
});

describe("cut", () => {
  const item = (text: string): ContextItem => ({
    source: "archive",
    text,
    timestamp: "",
    score: 1,
    exchangeIds: [],
  });
  it("keeps at most maxItems, in order", () => {
    expect(cut([item("a"), item("b"), item("c")], 2).map((i) => i.text)).toEqual(["a", "b"]);
  });
  it("skips items that would overflow the token budget but keeps smaller ones after them", () => {
    const kept = cut([item("x".repeat(40)), item("y".repeat(400)), item("z".repeat(20))], 10, 20);
    expect(kept.map((i) => i.text[0])).toEqual(["x", "z"]);
  });
});
