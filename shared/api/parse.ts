/** Validation at the edge: one parse-or-400 for REST, MCP and the console, in the same words. */
import type { z } from "zod";
import { problems } from "./problems.js";

/** zod issues as one line: "path: message; path: message". */
export function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/** The schema's verdict on a value, or a 400 naming what is wrong. */
export function parseOrBadRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw problems.badRequest(describeIssues(result.error.issues));
  return result.data;
}
