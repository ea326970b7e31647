/**
 * The relations a claim can have: which hold one value at a time (a newer claim supersedes the
 * older one: lives_in, works_at, ...) and which hold many (has_pet, likes: only a claim about the
 * same value ends one), the words a question about them uses (so "Where do I live?" finds the
 * fact), and how a fact says it.
 */
import type { Claim } from "../domain/types.js";
import { stem } from "../util/text.js";

/** Relations with one value at a time per subject; `favourite_<thing>` is single-valued too. */
export const singleValued = new Set(["lives_in", "from", "works_at", "works_as", "name", "age", "partner"]);

/** Relations whose slot is per value: the subject holds many at once (likes and dislikes share one). */
const perValueSlot: Record<string, string> = { has_pet: "has_pet", likes: "taste", dislikes: "taste" };

export const isSingleValued = (relation: string) =>
  singleValued.has(relation) || relation.startsWith("favourite_");

/** The slot a claim supersedes within: subject and relation, and the value for a many-valued relation. */
export function slotOf(subject: string, relation: string, value: string): string {
  if (isSingleValued(relation)) return `${subject}|${relation}`;
  return `${subject}|${perValueSlot[relation] ?? relation}|${value}`;
}

/** Lowercase, no leading article or possessive, single spaces: how two claims' values compare. */
export const normalizeValue = (value: string) =>
  value
    .toLowerCase()
    .replace(/^(?:a|an|the|my)\s+/, "")
    .replace(/\s+/g, " ")
    .trim();

const keywords: Record<string, string[]> = {
  lives_in: ["live", "lives", "living", "home", "city", "moved"],
  from: ["hometown", "grew", "origin", "born", "country"],
  works_at: ["work", "works", "working", "job", "company", "employer"],
  works_as: ["work", "works", "working", "job", "profession", "occupation", "career"],
  name: ["name", "called"],
  age: ["age", "old", "years", "birthday"],
  partner: ["partner", "wife", "husband", "girlfriend", "boyfriend", "married", "spouse"],
  has_pet: ["pet", "pets", "animal"],
  likes: ["like", "likes", "love", "enjoy", "hobby"],
  dislikes: ["hate", "dislike", "dislikes"],
};

/** Entity keys a question about this relation is likely to contain (each word and its stem). */
export function relationKeys(relation: string): string[] {
  const words = relation.startsWith("favourite_")
    ? ["favourite", "favorite", ...relation.slice("favourite_".length).split("_")]
    : (keywords[relation] ?? []);
  return [...new Set(words.flatMap((w) => [w, stem(w)]))];
}

/** The fact's text: `subject` as it reads ("User", "Ana", "The user's sister"), `value` as said. */
export function claimText(claim: Pick<Claim, "relation" | "negated">, subject: string, value: string) {
  const not = claim.negated;
  const owner = subject === "User" ? "User's" : `${subject}'s`;
  switch (claim.relation) {
    case "lives_in":
      return `${subject} ${not ? "no longer lives" : "lives"} in ${value}.`;
    case "from":
      return `${subject} is ${not ? "not " : ""}from ${value}.`;
    case "works_at":
      return `${subject} ${not ? "no longer works" : "works"} at ${value}.`;
    case "works_as":
      return `${subject} ${not ? "no longer works" : "works"} as ${withArticle(value)}.`;
    case "name":
      return `${owner} name is ${not ? "not " : ""}${value}.`;
    case "age":
      return `${subject} is ${not ? "not " : ""}${value} years old.`;
    case "partner":
      return not ? `${subject} is no longer with ${value}.` : `${owner} partner is ${value}.`;
    case "has_pet":
      return `${subject} ${not ? "no longer has" : "has"} ${withArticle(value)}.`;
    case "likes":
    case "dislikes":
      return `${subject} ${not ? "no longer " : ""}${claim.relation} ${value}.`;
    default: {
      const thing = claim.relation.replace(/^favourite_/, "").replace(/_/g, " ");
      return `${owner} favourite ${thing} is ${not ? "no longer " : ""}${value}.`;
    }
  }
}

const withArticle = (value: string) =>
  /^(?:a|an|the|\d+)\s/i.test(value) ? value : `${/^[aeiou]/i.test(value) ? "an" : "a"} ${value}`;
