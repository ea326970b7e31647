/** What any error becomes at the edge (REST problem or MCP tool error): one mapping for both. */
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { AppError, problems, TierUnavailableError } from "../errors/app-error.js";
import { EmptyFieldError } from "../memory/manager.js";
import { isPostgresUnavailable } from "../tiers/postgres/errors.js";

export function toAppError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof TierUnavailableError) return problems.unavailable(error.tier, error);
  if (isPostgresUnavailable(error)) return problems.unavailable("postgres", error);
  if (error instanceof EmptyFieldError) return problems.badRequest(error.message);
  if (error instanceof HTTPException && error.status < 500)
    return problems.badRequest(error.message || "invalid request");
  return error;
}

/** zod issues as one line: "path: message; path: message". */
export function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/** The schema's verdict on a value, or a 400 with the same words the REST edge uses. */
export function parseOrBadRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw problems.badRequest(describeIssues(result.error.issues));
  return result.data;
}
