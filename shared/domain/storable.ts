/**
 * What Postgres can store: neither NUL nor unpaired UTF-16 surrogates. The API refuses such text
 * rather than alter it, and the migration reports such records instead of writing them.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const unstorableRule = "must not contain NUL (U+0000) or unpaired surrogates, which cannot be stored";

export const isStorableText = (text: string) => !unstorable.test(text);

/** The longest a stored text may be: a message or reply (and a note's text), a speaker's name. */
export const textBounds = { message: 32_000, speaker: 200 };

/** How deep and how large a JSON value (metadata) may be. */
export const jsonBounds = { depth: 16, entries: 1000 };

/**
 * What is wrong with a JSON value as stored data, or undefined: nested deeper than
 * `jsonBounds.depth`, more than `jsonBounds.entries` keys and values, or a string (keys included)
 * that cannot be stored. Iterative, so no nesting can overflow the stack.
 */
export function jsonValueProblem(value: unknown): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  let entries = 0;
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [v, depth] = next;
    if (typeof v === "string" && !isStorableText(v)) return unstorableRule;
    if (!v || typeof v !== "object") continue;
    if (depth >= jsonBounds.depth) return `must not be nested deeper than ${jsonBounds.depth} levels`;
    for (const [k, child] of Object.entries(v)) {
      if (++entries > jsonBounds.entries)
        return `must not hold more than ${jsonBounds.entries} keys and values`;
      if (!Array.isArray(v) && !isStorableText(k)) return unstorableRule;
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}
