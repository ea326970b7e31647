import { describe, expect, it } from "vitest";
import type { Exchange } from "../../shared/domain/types.js";
import { HashingEmbedder } from "../../shared/processing/embedder.js";
import { RuleBasedExtractor } from "../../shared/processing/extractor.js";
import { ExtractiveSummarizer } from "../../shared/processing/summarizer.js";
import { stem, terms } from "../../shared/util/text.js";

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);
const norm = (a: readonly number[]) => Math.sqrt(dot(a, a));
const cosine = (a: readonly number[], b: readonly number[]) => dot(a, b) / (norm(a) * norm(b) || 1);

describe("text", () => {
  it("stems common inflections to one term and drops stopwords", () => {
    expect(new Set(["hiking", "hikes", "hiked"].map(stem)).size).toBe(1);
    expect(terms("I have been to the mountains")).toEqual(["mountain"]);
  });
  it("keeps non-Latin words", () => {
    expect(terms("東京 Ünïcode café")).toEqual(["東京", "ünïcode", "café"]);
  });
});

describe("HashingEmbedder", () => {
  const embedder = new HashingEmbedder(256);
  it("is deterministic, unit length and the requested size", async () => {
    const [a, b] = await embedder.embed(["surfing in Lisbon", "surfing in Lisbon"]);
    expect(a).toEqual(b);
    expect(a).toHaveLength(256);
    expect(norm(a ?? [])).toBeCloseTo(1);
  });
  it("places texts sharing words closer than unrelated texts", async () => {
    const [query, related, unrelated] = await embedder.embed([
      "Where does Ana go surfing?",
      "Ana went surfing in Lisbon last weekend",
      "The quarterly audit report is due on Friday",
    ]);
    expect(cosine(query ?? [], related ?? [])).toBeGreaterThan(cosine(query ?? [], unrelated ?? []) + 0.2);
  });
  it("embeds empty text as a zero vector without failing", async () => {
    const [v] = await embedder.embed([""]);
    expect(v?.every((x) => x === 0)).toBe(true);
  });
});

describe("RuleBasedExtractor", () => {
  const extractor = new RuleBasedExtractor();
  it("finds named roles, statements and names, each fact pointing at its entities", () => {
    const x = extractor.extract({
      userMessage: "My sister Ana lives in Lisbon. I love playing the cello.",
      botResponse: "Lisbon is lovely.",
    });
    expect(x.entities.map((e) => e.key)).toEqual(
      expect.arrayContaining(["ana", "sister", "lisbon", "cello"]),
    );
    expect(x.relations).toContainEqual({ from: "ana", to: "sister", type: "IS_USERS" });
    expect(x.facts.map((f) => f.text)).toEqual(
      expect.arrayContaining(["Ana is the user's sister.", "User likes playing the cello."]),
    );
    for (const fact of x.facts) expect(fact.entityKeys.length).toBeGreaterThan(0);
  });
  it("does not take a lowercase word after a role for a name", () => {
    expect(extractor.extract({ userMessage: "my sister is tired", botResponse: "" }).relations).toEqual([]);
  });
  it("gives query keys for names and content words", () => {
    expect(extractor.queryKeys("What does Ana like?")).toEqual(expect.arrayContaining(["ana", "like"]));
  });
});

describe("ExtractiveSummarizer", () => {
  const exchange = (userMessage: string, botResponse: string, i: number): Exchange => ({
    id: `e${i}`,
    userId: "u",
    kind: "exchange",
    version: 1,
    ordinal: i,
    userMessage,
    botResponse,
    metadata: {},
    createdAt: new Date(0),
  });
  it("keeps sentences of the window verbatim, within the budget, in their order", async () => {
    const window = [
      exchange("I adopted a dog named Pixel. He is a terrier.", "Pixel sounds adorable!", 1),
      exchange("Pixel loves the beach.", "Dogs and beaches go well together.", 2),
    ];
    const summary = await new ExtractiveSummarizer(120).summarize(window);
    expect(summary.length).toBeLessThanOrEqual(120);
    expect(summary).toContain("Pixel");
    const all = window.flatMap((e) => [e.userMessage, e.botResponse]).join(" ");
    for (const part of summary.split(/(?:User|Assistant): /).filter((p) => p.trim()))
      expect(all).toContain(part.trim().split(". ")[0]);
  });
});
