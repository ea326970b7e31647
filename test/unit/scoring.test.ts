import { describe, expect, it } from "vitest";
import { cut, rankAndDedupe, score, termCoverage, timeDecay } from "../../shared/memory/assembler/scoring.js";
import type { Candidate, ContextItem } from "../../shared/memory/assembler/types.js";
import { terms } from "../../shared/processing/text.js";

const now = new Date("2025-06-01T00:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const decay = { halfLifeDays: 30, floor: 0.2 };
const q = (text: string) => new Set(terms(text));
const candidate = (over: Partial<Candidate>): Candidate => ({
  source: "archive",
  text: "",
  timestamp: now,
  relevance: 1,
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

describe("termCoverage", () => {
  it("is the share of query terms present, after stemming", () => {
    expect(termCoverage(q("hiking trips"), "She hiked on a trip")).toBe(1);
    expect(termCoverage(q("hiking guitar"), "I went hiking")).toBe(0.5);
    expect(termCoverage(q("the and of"), "anything")).toBe(0);
  });
});

describe("score", () => {
  it("ranks a matching item above a non-matching one of the same age and source", () => {
    const query = q("cello lessons");
    const hit = score(candidate({ text: "I started cello lessons", relevance: 0.5 }), query, now, decay);
    const miss = score(candidate({ text: "The weather is nice", relevance: 0.5 }), query, now, decay);
    expect(hit).toBeGreaterThan(miss);
  });

  it("prefers the newer of two equally relevant items", () => {
    const query = q("cello");
    const newer = score(candidate({ text: "cello", timestamp: daysAgo(1) }), query, now, decay);
    const older = score(candidate({ text: "cello", timestamp: daysAgo(90) }), query, now, decay);
    expect(newer).toBeGreaterThan(older);
  });

  it("keeps a recent message relevant even when it shares no word with the query", () => {
    expect(
      score(candidate({ source: "recent", text: "ok", relevance: 0 }), q("cello"), now, decay),
    ).toBeGreaterThan(0);
  });
});

describe("rankAndDedupe", () => {
  it("keeps the best copy of an exchange seen through several tiers", () => {
    const items = rankAndDedupe(
      [
        candidate({
          source: "recent",
          text: "User: cello\nAssistant: nice",
          exchangeIds: ["e1"],
          relevance: 0.2,
        }),
        candidate({
          source: "archive",
          text: "User: cello\nAssistant: nice",
          exchangeIds: ["e1"],
          relevance: 1,
        }),
        candidate({ source: "graph", text: "User plays cello.", exchangeIds: ["e1"] }),
      ],
      q("cello"),
      now,
      decay,
    );
    expect(items.map((i) => i.exchangeIds)).toEqual([["e1"]]);
  });

  it("drops a summary whose exchanges are all already in, and keeps one that adds any", () => {
    const items = rankAndDedupe(
      [
        candidate({ text: "cello one", exchangeIds: ["e1"] }),
        candidate({ text: "cello two", exchangeIds: ["e2"] }),
        candidate({
          source: "summary",
          text: "summary of cello talk",
          exchangeIds: ["e1", "e2"],
          relevance: 0.1,
        }),
        candidate({
          source: "summary",
          text: "another cello window",
          exchangeIds: ["e2", "e3"],
          relevance: 0.1,
        }),
      ],
      q("cello"),
      now,
      decay,
    );
    expect(items.map((i) => i.text)).toEqual(["cello one", "cello two", "another cello window"]);
  });

  it("drops near-duplicate texts", () => {
    const items = rankAndDedupe(
      [
        candidate({ source: "summary", text: "Ana surfs in Lisbon every weekend", exchangeIds: ["a"] }),
        candidate({ source: "summary", text: "Ana surfs in Lisbon every weekend!", exchangeIds: ["b"] }),
      ],
      q("Ana"),
      now,
      decay,
    );
    expect(items).toHaveLength(1);
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
