/**
 * What Postgres can store: neither NUL nor unpaired UTF-16 surrogates. The API refuses such text
 * rather than alter it, and the migration reports such records instead of writing them.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const unstorableRule = "must not contain NUL (U+0000) or unpaired surrogates, which cannot be stored";

export const isStorableText = (text: string) => !unstorable.test(text);

/** True when any string in the value (keys included, at any depth) cannot be stored. */
export function hasUnstorableText(value: unknown): boolean {
  if (typeof value === "string") return !isStorableText(value);
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  if (value && typeof value === "object")
    return Object.entries(value).some(([k, v]) => !isStorableText(k) || hasUnstorableText(v));
  return false;
}
