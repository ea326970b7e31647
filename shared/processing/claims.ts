/**
 * Claims the rules find in what a user says: "I live in Lisbon", "I moved to Porto last week",
 * "my sister Ana works at a bakery", "I don't have a cat anymore". Only assertions count: a clause
 * that asks ("Have you been to Lisbon?"), supposes or wishes ("I'd love to live in Lisbon", "if I
 * lived in ...") states nothing; a statement about someone else is that person's claim, never the
 * user's; a negation ("I no longer live in Lisbon") is a negated claim that ends the fact of the same
 * value and states no new one. Pure, offline, no model.
 */
import { contentWords, isStopword, sentences } from "../util/text.js";

/** A claim as found, before it gets its entity keys: `value` as said. */
export interface FoundClaim {
  /** Absent for the one speaking; else who it is about, by name or by role ("sister"). */
  subject?: { name: string; kind: "person" | "role" };
  relation: string;
  value: string;
  negated: boolean;
  /** A pet's name, as said ("a dog named Pixel"). */
  named?: string;
}

/** A clause of the message, whether it asserts anything, and the claims in it. */
export interface Clause {
  sentence: number;
  text: string;
  asserted: boolean;
  claims: FoundClaim[];
}

const adv = "(?:(?:now|currently|still|also|just|recently|finally|actually|really|already|originally)\\s+)*";
const v = '([^,;:!?.()"]+)';
const name = "([A-Z][\\p{L}'’-]+(?:\\s+[A-Z][\\p{L}'’-]+)?)";
const pets =
  "dog|cat|puppy|kitten|parrot|rabbit|bunny|hamster|fish|turtle|tortoise|horse|bird|snake|lizard|guinea pig|ferret";
const occupations =
  "teacher|nurse|doctor|engineer|developer|programmer|designer|lawyer|accountant|chef|cook|student|writer|artist|musician|journalist|scientist|researcher|architect|pharmacist|dentist|mechanic|electrician|plumber|carpenter|farmer|pilot|firefighter|police officer|paramedic|consultant|manager|cashier|waiter|waitress|barista|photographer|translator|therapist|psychologist|professor|lecturer|librarian|vet|veterinarian|freelancer|entrepreneur|receptionist|driver|soldier|actor|actress|dancer|singer|painter|tutor|coach|banker|analyst|economist|social worker|counselor|counsellor|baker|hairdresser|secretary|editor|producer|retiree";
const roles =
  "sister|brother|mom|mother|dad|father|wife|husband|partner|son|daughter|friend|boss|colleague|coworker|girlfriend|boyfriend|grandma|grandmother|grandpa|grandfather|aunt|uncle|cousin|neighbor|neighbour";

/** The speaker's own claims: [relation, pattern]; group 1 is the value (group 2 a pet's name). */
const mine: [string, RegExp][] = [
  [
    "lives_in",
    re(
      `\\bI(?:'m| am|'ve| have)?\\s+(?:been\\s+)?${adv}(?:live|living|(?<=(?:'ve|have)\\s+(?:\\w+\\s+)*)lived|moved|relocated)(?:\\s+back)?\\s+(?:in|to)\\s+${v}`,
      "iu",
    ),
  ],
  ["from", re(`\\bI(?:'m| am)?\\s+${adv}from\\s+${v}`, "iu")],
  ["from", re(`\\bI\\s+(?:was\\s+)?(?:born and raised|grew up|born)\\s+in\\s+${v}`, "iu")],
  ["works_as", re(`\\bI(?:'m| am|'ve| have)?\\s+(?:been\\s+)?${adv}(?:work|working)\\s+as\\s+${v}`, "iu")],
  [
    "works_as",
    re(`\\bI(?:'m| am)?\\s+${adv}(?:a|an)\\s+((?:[\\p{L}-]+\\s+){0,2}?(?:${occupations}))\\b`, "iu"),
  ],
  [
    "works_at",
    re(
      `\\bI(?:'m| am|'ve| have)?\\s+(?:been\\s+)?${adv}(?:work|working|started working|got a job|started a new job|started)\\s+(?:at|for)\\s+${v}`,
      "iu",
    ),
  ],
  ["name", re(`\\b(?:[Mm]y name(?:'s| is)|[Cc]all me|I(?:'m| am) called)\\s+${name}`, "u")],
  ["age", re(`\\bI(?:'m| am)?\\s+${adv}(\\d{1,3})\\s*(?:years old|years of age|yrs old)`, "iu")],
  ["age", re(`\\bI\\s+${adv}turned\\s+(\\d{1,3})\\b`, "iu")],
  [
    "partner",
    re(
      `\\b[Mm]y (?:wife|husband|partner|girlfriend|boyfriend|fianc[eé]e?|spouse)(?:'s name is| is called| is named|,| is| named| called)?\\s+${name}`,
      "u",
    ),
  ],
  ["partner", re(`\\bI(?:'m| am)?\\s+${adv}(?:married to|dating|engaged to|seeing)\\s+${name}`, "u")],
  [
    "favourite",
    re(
      `\\bmy\\s+(?:all[- ]time\\s+)?favou?rite\\s+([\\p{L}]+(?:\\s+[\\p{L}]+)?)\\s+(?:is|are)\\s+${v}`,
      "iu",
    ),
  ],
  [
    "has_pet",
    re(
      `\\bI\\s+${adv}(?:have|'ve got|have got|got|adopted|own|'ve adopted|have adopted)\\s+(?:a|an|one|two|three|\\d+)?\\s*(?:new\\s+|little\\s+|young\\s+|old\\s+|rescue\\s+)?(${pets})s?\\b(?:,?\\s+(?:named|called)\\s+([\\p{L}'-]+))?`,
      "iu",
    ),
  ],
  ["likes", re(`\\bI\\s+${adv}(?:like|love|enjoy|adore)\\s+${v}`, "iu")],
  ["dislikes", re(`\\bI\\s+${adv}(?:hate|dislike|can't stand|cannot stand|detest)\\s+${v}`, "iu")],
];

/** Someone else's: "my sister (Ana) lives in ...", "Ana works at ..."; group 1 role, 2 and 3 names, 4 value. */
const others: [string, RegExp][] = [
  ["lives_in", "(?:lives|is living|has moved|moved)\\s+(?:in|to)"],
  ["works_at", "(?:works|is working)\\s+(?:at|for)"],
  ["works_as", "(?:works|is working)\\s+as"],
  ["from", "is\\s+(?:originally\\s+)?from"],
].map(([relation, verb]) => [
  relation as string,
  re(`(?:\\b[Mm]y\\s+(${roles})(?:\\s+${name})?|${name})\\s+${adv}${verb}\\s+${v}`, "u"),
]);

/** Rewrites that turn a negated clause into the claim it negates: [pattern, replacement]. */
const negations: [RegExp, string][] = [
  [/\bI(?:'m| am)?\s+(?:really\s+)?(?:don'?t|do not|no longer|never|not)\s+/iu, "I "],
  [/\bI\s+(?:(?:quit|left)\s+my\s+job|stopped\s+working)\s+(?:at|for|with)\s+/iu, "I work at "],
  [/\bI\s+moved\s+(?:out\s+of|away\s+from)\s+/iu, "I live in "],
  [/\bI\s+(?:broke\s+up\s+with|divorced|split\s+up\s+with|separated\s+from)\s+/iu, "I dating "],
  [/\bI\s+(?:lost|gave\s+away|rehomed)\s+(?:my\s+)?/iu, "I have a "],
  [/\b(?:doesn'?t|does\s+not)\s+(live|work)\b/u, "$1s"],
  [/\b(?:no\s+longer|is\s+no\s+longer)\s+(lives|works)\b/u, "$1"],
];
const noLonger = /\s+(?:any\s?more|any\s+longer)\b/giu;

/** Words before a claim that make it a supposition, a wish or a condition, not an assertion. */
const supposing =
  /(?:\b(?:if|wish|wishes|hope|hopes|hoping|maybe|perhaps|imagine|suppose|pretend|whether|unless|would|could|might|should|dream|dreams|want|wants|wanted|plan|planning|thinking|someday)\b|'d\b)/iu;
const asking =
  /^(?:do|does|did|have|has|had|are|is|was|were|can|could|would|will|should|shall|where|when|what|why|how|who|which)\b/iu;
/** Words that end a value: times, conjunctions, prepositions ("Porto last week", "nurse at a clinic"). */
const valueEnd =
  /\s+(?:last|this|next|yesterday|today|tonight|recently|now|nowadays|lately|anymore|again|since|because|when|and|but|or|not|ago|with|so|though|already|finally|for|in|on|at|from|until|after|before|as|which|who|where|while|that|to|during|by|instead|too|if)\b.*$/iu;

/** Every clause of the message, with its claims (none for a clause that asks or supposes). */
export function clausesOf(message: string): Clause[] {
  const clauses: Clause[] = [];
  sentences(message).forEach((sentence, index) => {
    const parts = sentence
      .split(/\s*(?:[,;:]|\s[-–—]\s|\bbut\b|\bthough\b|\bhowever\b)\s*/iu)
      .filter((p) => p);
    parts.forEach((text, i) => {
      const question = asking.test(text) || (i === parts.length - 1 && sentence.trimEnd().endsWith("?"));
      const asserted = !question;
      clauses.push({ sentence: index, text, asserted, claims: asserted ? claimsIn(text) : [] });
    });
  });
  return clauses;
}

function claimsIn(clause: string): FoundClaim[] {
  let text = clause;
  let negated = false;
  for (const [pattern, replacement] of negations)
    if (pattern.test(text)) {
      text = text.replace(pattern, replacement);
      negated = true;
    }
  if (negated) text = text.replace(noLonger, "");
  const found: FoundClaim[] = [];
  const asserts = (index: number) => !supposing.test(text.slice(0, index));
  for (const [relation, pattern] of mine) {
    const m = pattern.exec(text);
    if (!m || !asserts(m.index)) continue;
    if (relation === "favourite") {
      const value = valueIn(m[2]);
      const thing = (m[1] ?? "").toLowerCase().trim().replace(/\s+/g, "_");
      if (value && thing) found.push({ relation: `favourite_${thing}`, value, negated });
    } else if (relation === "has_pet") {
      const pet = (m[1] ?? "").toLowerCase();
      const value = pet === "puppy" ? "dog" : pet === "kitten" ? "cat" : pet === "bunny" ? "rabbit" : pet;
      const named = m[2] && /^\p{Lu}/u.test(m[2]) ? m[2] : undefined;
      found.push({ relation, value, negated, ...(named ? { named } : {}) });
    } else {
      const value = ["name", "partner", "age"].includes(relation) ? m[1]?.trim() : valueIn(m[1]);
      if (value && !notAPlace(relation, value)) found.push({ relation, value, negated });
    }
  }
  for (const [relation, pattern] of others) {
    const m = pattern.exec(text);
    if (!m || !asserts(m.index)) continue;
    const [role, named, bare] = [m[1], m[2], m[3]];
    const who = named ?? bare;
    const value = valueIn(m[4]);
    if (who?.split(/\s+/).some(isStopword)) continue;
    const subject = who
      ? { name: who, kind: "person" as const }
      : { name: (role ?? "").toLowerCase(), kind: "role" as const };
    if (value && subject.name) found.push({ subject, relation, value, negated });
  }
  return dedupeRelations(found);
}

/** The value as said, cut where a time, conjunction or preposition starts; undefined if nothing is left. */
function valueIn(raw: string | undefined): string | undefined {
  const value = (raw ?? "")
    .trim()
    .replace(/^to\s+/iu, "")
    .replace(valueEnd, "")
    .split(/\s+/)
    .slice(0, 6)
    .join(" ")
    .replace(/[\s'"’]+$/u, "");
  return contentWords(value).length > 0 ? value : undefined;
}

/** "I'm working at home today", "I live in the moment": said with the words of a place, but none. */
const notPlaces =
  /^(?:(?:the\s+)?(?:home|night|moment|weekends?|present|past|future|fear|hope|denial|peace|lunch|dinner)|a\s+(?:distance|bubble|dream))$/iu;
const notAPlace = (relation: string, value: string) =>
  (relation === "works_at" || relation === "lives_in") && notPlaces.test(value.trim());

/** One claim per subject and relation in a clause: the first pattern that matched wins. */
function dedupeRelations(found: FoundClaim[]): FoundClaim[] {
  const seen = new Set<string>();
  return found.filter((c) => {
    const key = `${c.subject?.name ?? ""}|${c.relation}`;
    return !seen.has(key) && seen.add(key);
  });
}

function re(source: string, flags: string): RegExp {
  return new RegExp(source, flags);
}
