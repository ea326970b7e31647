/** Text normalization shared by the embedder, the lexical scorer and the extractors. */

const stopwords = new Set(
  (
    "a about above after again against all am an and any are as at be because been before being below between both but by " +
    "can could did do does doing down during each few for from further had has have having he her here hers herself him " +
    "himself his how i if in into is it its itself just let me more most my myself no nor not now of off on once only or " +
    "other ought our ours ourselves out over own same she should so some such than that the their theirs them themselves " +
    "then there these they this those through to too under until up very was we were what when where which while who whom " +
    "why will with would you your yours yourself yourselves also yes yeah oh ok okay really thanks thank hey hi hello wow " +
    "user assistant bot s t don didn doesn isn wasn aren weren won wouldn couldn shouldn ll re ve d m"
  ).split(" "),
);

/** Lowercased word tokens (letters and digits, any script), with apostrophes folded. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/['’]s\b/g, "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** A light English stemmer: enough to match "hiking"/"hikes"/"hiked" without a dictionary. */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  for (const [suffix, replacement] of suffixes) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3)
      return word.slice(0, -suffix.length) + replacement;
  }
  return word;
}

const suffixes: [string, string][] = [
  ["ational", "ate"],
  ["iness", "y"],
  ["ness", ""],
  ["ments", ""],
  ["ment", ""],
  ["ingly", ""],
  ["edly", ""],
  ["ies", "y"],
  ["ied", "y"],
  ["ing", ""],
  ["ed", ""],
  ["es", ""],
  ["ly", ""],
  ["s", ""],
];

/** Words that carry content: no stopwords, no one-letter tokens. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length > 1 && !stopwords.has(w));
}

/** Stemmed content terms, the unit of lexical matching. */
export function terms(text: string): string[] {
  return contentWords(text).map(stem);
}

export const isStopword = (word: string) => stopwords.has(word.toLowerCase());

/** Splits text into sentences on ., !, ? and line breaks. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
