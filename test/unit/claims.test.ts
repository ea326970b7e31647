/** The rules' claims (shared/processing/claims.ts): what is asserted counts, what is asked, wished, or said of others does not. */
import { describe, expect, it } from "vitest";
import { isSingleValued, slotOf } from "../../shared/processing/claim-relations.js";
import { RuleBasedExtractor } from "../../shared/processing/extractor.js";

const extractor = new RuleBasedExtractor();
const claims = (userMessage: string, speaker?: string) =>
  extractor
    .extract({ userMessage, botResponse: "Noted!", ...(speaker ? { speaker } : {}) })
    .facts.flatMap((f) => (f.claim ? [{ text: f.text, ...f.claim }] : []));

describe("claims the rules find", () => {
  it("a change: a residence and a move, each a claim in the user's lives_in slot", () => {
    expect(claims("I live in Lisbon.")).toEqual([
      {
        text: "User lives in Lisbon.",
        subject: "user",
        relation: "lives_in",
        value: "lisbon",
        slot: "user|lives_in",
      },
    ]);
    expect(claims("I moved to Porto last week!")).toEqual([
      expect.objectContaining({ text: "User lives in Porto.", value: "porto", slot: "user|lives_in" }),
    ]);
  });

  it("a correction states the new value only", () => {
    expect(claims("Actually, I live in Porto, not Lisbon.")).toEqual([
      expect.objectContaining({ relation: "lives_in", value: "porto" }),
    ]);
  });

  it("a negation is a negated claim of the value it denies", () => {
    expect(claims("I don't live in Lisbon anymore.")).toEqual([
      expect.objectContaining({ text: "User no longer lives in Lisbon.", value: "lisbon", negated: true }),
    ]);
    expect(claims("I quit my job at Google.")).toEqual([
      expect.objectContaining({ relation: "works_at", value: "google", negated: true }),
    ]);
    expect(claims("I don't like sushi anymore, but I love ramen.").map((c) => [c.slot, c.negated])).toEqual([
      ["user|taste|sushi", true],
      ["user|taste|ramen", undefined],
    ]);
  });

  it('a question, a wish, a condition, or a place that is none ("at home") is only a mention: no claim', () => {
    for (const said of [
      "Have you been to Lisbon?",
      "Do you think I live in Lisbon?",
      "I'd love to live in Lisbon someday.",
      "I want to live in Lisbon.",
      "If I live in Lisbon next year, I will surf.",
      "Maybe I work at Google, who knows.",
      "I wish I lived in Lisbon.",
      "Where do I live?",
      "I'm working at home today.",
      "I live in the moment.",
    ])
      expect(claims(said), said).toEqual([]);
    // The mention is still remembered as what was said, not as a fact about the user.
    const mention = extractor.extract({ userMessage: "Have you been to Lisbon?", botResponse: "" });
    expect(mention.facts).toEqual([{ text: "Have you been to Lisbon?", entityKeys: ["lisbon"] }]);
  });

  it("a statement about someone else is their slot, not the user's", () => {
    expect(claims("My sister lives in Lisbon.")).toEqual([
      expect.objectContaining({
        text: "The user's sister lives in Lisbon.",
        subject: "sister",
        slot: "sister|lives_in",
      }),
    ]);
    expect(claims("My sister Ana works at a bakery in Braga.")).toEqual([
      expect.objectContaining({
        text: "Ana works at a bakery.",
        subject: "ana",
        slot: "ana|works_at",
        value: "bakery",
      }),
    ]);
  });

  it("covers the common personal facts, each in its slot", () => {
    const found = claims(
      "I work as a nurse at the clinic. My name is Maria and I'm 34 years old. My favourite food is sushi. I adopted a puppy named Pixel. I'm married to Joana. I'm from Brazil.",
    );
    expect(found.map((c) => [c.slot, c.value])).toEqual([
      ["user|works_as", "nurse"],
      ["user|name", "maria"],
      ["user|age", "34"],
      ["user|favourite_food", "sushi"],
      ["user|has_pet|dog", "dog"],
      ["user|partner", "joana"],
      ["user|from", "brazil"],
    ]);
    expect(found.find((c) => c.relation === "has_pet")?.text).toBe("User has a dog named Pixel.");
    expect(claims("I'm a high school teacher.")[0]).toMatchObject({
      relation: "works_as",
      value: "high school teacher",
    });
  });

  it("with a speaker, their own claims are theirs", () => {
    expect(claims("I live in Lisbon.", "Caroline")).toEqual([
      expect.objectContaining({
        text: "Caroline lives in Lisbon.",
        subject: "caroline",
        slot: "caroline|lives_in",
      }),
    ]);
  });

  it("a claim's fact replaces the sentence's own text, and a question about the relation finds it", () => {
    const x = extractor.extract({ userMessage: "I moved to Porto last week.", botResponse: "" });
    expect(x.facts.map((f) => f.text)).toEqual(["User lives in Porto."]);
    const keys = extractor.queryKeys("Where do I live now?");
    expect(x.facts[0]?.entityKeys.some((k) => keys.includes(k))).toBe(true);
  });

  it("single-valued relations share one slot per subject; many-valued ones a slot per value", () => {
    expect(
      ["lives_in", "works_at", "works_as", "name", "age", "partner", "from", "favourite_food"].every(
        isSingleValued,
      ),
    ).toBe(true);
    expect(["has_pet", "likes", "dislikes"].some(isSingleValued)).toBe(false);
    expect(slotOf("user", "lives_in", "porto")).toBe(slotOf("user", "lives_in", "lisbon"));
    expect(slotOf("user", "likes", "tea")).toBe(slotOf("user", "dislikes", "tea"));
    expect(slotOf("user", "has_pet", "dog")).not.toBe(slotOf("user", "has_pet", "cat"));
  });
});
