/**
 * Entity and relation extraction for Tier 4. The default is rule-based and offline: proper names,
 * roles the user names ("my sister Ana"), statements of preference or circumstance ("I play chess"),
 * and claims (./claims.ts: "I live in Lisbon", a subject, relation and value whose slot a later claim
 * supersedes). A sentence that makes a claim gives the claim's fact instead of its own text, so an
 * old wording never outlives the claim it stated. Every fact keeps the exchange it came from.
 */
import type { Exchange, Extraction } from "../domain/types.js";
import { contentWords, isStopword, sentences, stem } from "../util/text.js";
import { claimText, normalizeValue, relationKeys, slotOf } from "./claim-relations.js";
import { clausesOf, type FoundClaim } from "./claims.js";

/** What an extractor reads: the exchange's texts and who wrote the user's side, if not the user. */
export type ExtractorInput = Pick<Exchange, "userMessage" | "botResponse"> & { speaker?: string };

export interface EntityExtractor {
  readonly name: string;
  /** `proposed`: claims found elsewhere (a model), kept for slots the rules did not claim here. */
  extract(exchange: ExtractorInput, proposed?: readonly FoundClaim[]): Extraction;
  /** Entity keys a query may refer to, to look facts up by. */
  queryKeys(query: string): string[];
  /** The slots of the claims the rules find in what the user said (no entities, no facts: cheap). */
  claimSlots(exchange: Pick<ExtractorInput, "userMessage" | "speaker">): string[];
}

const roles =
  "sister|brother|mom|mother|dad|father|wife|husband|partner|son|daughter|friend|boss|colleague|coworker|dog|cat|kids|children|girlfriend|boyfriend|grandma|grandmother|grandpa|grandfather|aunt|uncle|cousin|teacher|mentor|neighbor";
const roleNamed = new RegExp(
  `\\b[Mm]y (${roles})(?:'s name is|,| named| called| is)?\\s+([A-Z][\\p{L}'-]+)`,
  "gu",
);
const roleBare = new RegExp(`\\bmy (${roles})\\b`, "giu");
const statement =
  /\bI(?:'m| am)? (?:really |also |just )?(like|love|enjoy|hate|prefer|work (?:at|as|for)|live in|moved to|am from|study|play|collect|volunteer (?:at|for)|adopted|started|joined|bought|visited|went to)\s+([^.,!?;\n]{2,80})/giu;
const properName = /\b([A-Z][\p{L}'’-]+(?:\s+(?:[A-Z][\p{L}'’-]+|of|de|van|von))*)/gu;

export const entityKey = (name: string) =>
  name
    .toLowerCase()
    .replace(/['’]s$/, "")
    .trim();

export class RuleBasedExtractor implements EntityExtractor {
  readonly name = "rule-based";

  extract(exchange: ExtractorInput, proposed: readonly FoundClaim[] = []): Extraction {
    const entities = new Map<string, { key: string; name: string; kind: string }>();
    const relations: Extraction["relations"] = [];
    const facts: Extraction["facts"] = [];
    const add = (name: string, kind: string) => {
      const key = entityKey(name);
      if (key.length > 1 && !entities.has(key)) entities.set(key, { key, name, kind });
      return key;
    };
    for (const m of exchange.userMessage.matchAll(roleNamed)) {
      const [role, name] = [m[1] ?? "", m[2] ?? ""];
      add(role.toLowerCase(), "role");
      add(name, "person");
      relations.push({ from: entityKey(name), to: role.toLowerCase(), type: "IS_USERS" });
      facts.push({
        text: `${name} is the user's ${role.toLowerCase()}.`,
        entityKeys: [entityKey(name), role.toLowerCase()],
      });
    }
    for (const m of exchange.userMessage.matchAll(roleBare)) add((m[1] ?? "").toLowerCase(), "role");
    const claimed = new Set<number>();
    for (const clause of clausesOf(exchange.userMessage)) {
      for (const found of clause.claims) {
        facts.push(claimFact(found, add, exchange.speaker));
        claimed.add(clause.sentence);
      }
      // A clause that asks or supposes states nothing; one with a claim said it as the claim.
      if (!clause.asserted || clause.claims.length > 0) continue;
      for (const m of clause.text.matchAll(statement)) {
        const [verb, object] = [(m[1] ?? "").toLowerCase(), (m[2] ?? "").trim()];
        const keys = [
          ...namesIn(object).map((n) => add(n, "name")),
          ...contentWords(object)
            .slice(0, 4)
            .map((w) => add(w, "topic")),
        ];
        facts.push({ text: `User ${verb} ${object}.`, entityKeys: [...new Set(keys)] });
      }
    }
    // The rules decide what they read; a proposal counts for a slot they found nothing in.
    const slots = new Set(facts.flatMap((f) => (f.claim ? [f.claim.slot] : [])));
    for (const found of proposed)
      if (!slots.has(slotOfFound(found, exchange.speaker)))
        facts.push(claimFact(found, add, exchange.speaker));
    // Any other sentence the user said that names something becomes a fact about those names.
    sentences(exchange.userMessage).forEach((sentence, index) => {
      const keys = namesIn(sentence).map((n) => add(n, "name"));
      if (keys.length > 0 && !claimed.has(index))
        facts.push({ text: sentence.slice(0, 300), entityKeys: [...new Set(keys)] });
    });
    for (const name of namesIn(exchange.botResponse)) add(name, "name");
    return { entities: [...entities.values()], relations, facts: dedupeFacts(facts) };
  }

  claimSlots(exchange: Pick<ExtractorInput, "userMessage" | "speaker">): string[] {
    return clausesOf(exchange.userMessage).flatMap((c) =>
      c.claims.map((f) => slotOfFound(f, exchange.speaker)),
    );
  }

  queryKeys(query: string): string[] {
    const keys = [...namesIn(query).map(entityKey), ...contentWords(query), ...contentWords(query).map(stem)];
    return [...new Set(keys)].slice(0, 32);
  }
}

/** Capitalized words and runs of them, without sentence-initial function words ("The", "I"). */
function namesIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(properName)) {
    const words = (m[1] ?? "").split(/\s+/).filter((w) => !isStopword(w));
    const name = words.join(" ");
    if (name.length > 1) names.push(name);
  }
  return names;
}

/** The slot a found claim falls in: its subject (the speaker, the user, or whom it names) and relation. */
function slotOfFound(found: FoundClaim, speaker: string | undefined): string {
  const subject = found.subject ? entityKey(found.subject.name) : speaker ? entityKey(speaker) : "user";
  return slotOf(subject, found.relation, normalizeValue(found.value));
}

/** A claim's fact: about its subject, its value's names and words, and the words of its relation. */
function claimFact(
  found: FoundClaim,
  add: (name: string, kind: string) => string,
  speaker: string | undefined,
): Extraction["facts"][number] {
  const { subject, relation, negated } = found;
  const keys: string[] = [];
  let who = speaker ?? "User";
  let subjectKey = speaker ? add(speaker, "person") : "user";
  if (speaker) keys.push(subjectKey);
  if (subject) {
    subjectKey = add(subject.name, subject.kind);
    who = subject.kind === "role" ? `The user's ${subject.name}` : subject.name;
    keys.push(subjectKey);
  }
  const said = found.named ? `${found.value} named ${found.named}` : found.value;
  keys.push(
    ...namesIn(said).map((n) => add(n, "name")),
    ...contentWords(said)
      .slice(0, 4)
      .map((w) => add(w, "topic")),
    ...relationKeys(relation).map((k) => add(k, "topic")),
  );
  const value = normalizeValue(found.value);
  return {
    text: claimText({ relation, negated }, who, said),
    entityKeys: [...new Set(keys)],
    claim: {
      subject: subjectKey,
      relation,
      value,
      slot: slotOf(subjectKey, relation, value),
      ...(negated ? { negated } : {}),
    },
  };
}

function dedupeFacts(facts: Extraction["facts"]): Extraction["facts"] {
  const seen = new Set<string>();
  return facts.filter((f) => f.entityKeys.length > 0 && !seen.has(f.text) && seen.add(f.text));
}
