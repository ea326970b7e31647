/** The keys CLI's --scopes and --expires values, parsed (pure, so tested without Postgres). */
import { isKeyScope, type KeyScope, keyScopes } from "../../shared/domain/scopes.js";
import { UsageError } from "./run-cli.js";

/** "read,write" -> ["read", "write"]; a usage error names any unknown scope. */
export function parseScopes(text: string): KeyScope[] {
  const given = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = given.filter((s) => !isKeyScope(s));
  if (given.length === 0 || unknown.length > 0)
    throw new UsageError(
      `--scopes takes a comma-separated list of ${keyScopes.join(", ")}${unknown.length ? ` (not: ${unknown.join(", ")})` : ""}`,
    );
  return given.filter(isKeyScope);
}

const units = { h: 3_600_000, d: 86_400_000 } as const;

/** "90d", "12h" from now, or an ISO 8601 date-time; a usage error for anything else or the past. */
export function parseExpiry(text: string, now = new Date()): Date {
  const relative = /^(\d{1,5})([hd])$/.exec(text.trim());
  const at = relative
    ? new Date(now.getTime() + Number(relative[1]) * units[relative[2] as keyof typeof units])
    : /^\d{4}-\d{2}-\d{2}/.test(text.trim())
      ? new Date(text.trim())
      : new Date(Number.NaN);
  if (Number.isNaN(at.getTime()))
    throw new UsageError(
      `--expires takes a duration (90d, 12h) or an ISO date (2027-03-31T00:00:00Z), not '${text}'`,
    );
  if (at.getTime() <= now.getTime()) throw new UsageError(`--expires ${text} is not in the future`);
  return at;
}
