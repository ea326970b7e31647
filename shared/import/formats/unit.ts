/**
 * What every format shares: cutting a file into lines, reading one unit as a JSON object, and saying
 * in a few words what a schema refused. A reason names the field and never repeats more than a few
 * characters of the unit, so a report of a large file stays small and quotes no one's messages.
 */
import type { z } from "zod";
import type { ImportUnit } from "../records.js";

/** One unit per non-blank line, numbered as an editor numbers lines (blank ones count); \r\n and a BOM are fine. */
export function splitLines(text: string): ImportUnit[] {
  const units: ImportUnit[] = [];
  stripBom(text)
    .split("\n")
    .forEach((raw, i) => {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.trim() !== "") units.push({ line: i + 1, text: line });
    });
  return units;
}

export const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** The longest a reason may be; JSON.parse's messages quote the input, so they are cut to this. */
const maxReason = 80;

export const clip = (text: string, max = maxReason) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** A unit's JSON object, or why it is not one. */
export function readObject(unit: ImportUnit): { value: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(unit.text);
  } catch (error) {
    return { error: clip(`not JSON: ${error instanceof Error ? error.message : String(error)}`) };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return { error: "not a JSON object" };
  return { value: value as Record<string, unknown> };
}

const article: Record<string, string> = {
  string: "a string",
  object: "an object",
  record: "an object",
  array: "an array",
  number: "a number",
  boolean: "true or false",
};

/** zod's default words are long and generic; these name what the field must be. */
const issueWords = (issue: z.core.$ZodRawIssue): string | undefined => {
  if (issue.code === "unrecognized_keys") return "unknown key";
  if (issue.input === undefined) return "required";
  if (issue.code === "invalid_type") return `must be ${article[issue.expected] ?? issue.expected}`;
  return undefined;
};

/**
 * A schema's own words for a wrong value; a missing one is left to say "required", as every field
 * does.
 */
export const unlessMissing =
  (message: string) =>
  (issue: { input?: unknown }): string | undefined =>
    issue.input === undefined ? undefined : message;

/** The first few issues as "path: reason; path: reason" (dotted paths, as the API reports them). */
function describeIssues(issues: readonly z.core.$ZodIssue[], limit = 3): string {
  const parts = issues.flatMap((issue) => {
    const at = issue.path.map(String);
    // A refused key is reported at the object that holds it; name the key itself.
    if (issue.code === "unrecognized_keys")
      return issue.keys.map((key) => `${clip([...at, key].join("."), 40)}: unknown key`);
    return [at.length > 0 ? `${at.join(".")}: ${issue.message}` : issue.message];
  });
  const more = parts.length > limit ? ` (and ${parts.length - limit} more)` : "";
  return `${parts.slice(0, limit).join("; ")}${more}`;
}

/** The schema's value, or a short reason naming the fields it refused. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown): { data: T } | { error: string } {
  const result = schema.safeParse(value, { error: issueWords });
  return result.success ? { data: result.data } : { error: describeIssues(result.error.issues) };
}
