/**
 * A Filter as one SQL/JSON path predicate over an exchange's metadata, passed to Postgres as a
 * parameter (never spliced into SQL). Keys and strings are written as JSON string literals, which
 * jsonpath reads with the same escapes. Lax mode applies a condition to each element of a list, as
 * the domain's meaning says; a comparison of two types is unknown, so it never selects. The time
 * is the variable `$t`, the exchange's created_at in epoch milliseconds (see `filterClause`).
 */
import type { Condition, Filter, RangeOp } from "../../domain/filter.js";

const symbols: Record<RangeOp, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

const literal = (v: string | number | boolean) => (typeof v === "string" ? JSON.stringify(v) : String(v));

function condition(c: Condition): string {
  if ("time" in c) return `($t ${symbols[c.time]} ${c.at.getTime()})`;
  const field = `$.${JSON.stringify(c.key)}`;
  const any = (test: string) => `exists(${field} ? (${test}))`;
  switch (c.op) {
    case "eq":
      return any(`@ == ${literal(c.value)}`);
    case "ne":
      return `!(${any(`@ == ${literal(c.value)}`)})`;
    case "in":
      return any(c.values.map((v) => `@ == ${literal(v)}`).join(" || "));
    case "nin":
      return `!(${any(c.values.map((v) => `@ == ${literal(v)}`).join(" || "))})`;
    default:
      return any(`@ ${symbols[c.op]} ${literal(c.value)}`);
  }
}

/** The filter as a jsonpath predicate (true, false or unknown for each exchange). */
export function filterPath(filter: Filter): string {
  if ("and" in filter) return `(${filter.and.map(filterPath).join(" && ")})`;
  if ("or" in filter) return `(${filter.or.map(filterPath).join(" || ")})`;
  return condition(filter);
}

/**
 * The SQL condition for a filter given as parameter `$n` (a jsonpath, or null for none) on the
 * exchanges aliased `alias`: the text is the same with and without a filter, so a named statement
 * is prepared once.
 */
export const filterClause = (alias: string, n: number) =>
  `($${n}::jsonpath IS NULL OR jsonb_path_match(${alias}.metadata, $${n}::jsonpath,
     jsonb_build_object('t', extract(epoch FROM ${alias}.created_at) * 1000), true) IS TRUE)`;

/**
 * The top-level equality conditions (each must hold) as a jsonpath the (user_id, metadata) GIN
 * index can answer, or null: it narrows a listing before the whole filter is checked.
 */
export function indexablePath(filter: Filter): string | null {
  const top = "and" in filter ? filter.and : [filter];
  const equalities = top.flatMap((c) =>
    "key" in c && c.op === "eq" ? [`$.${JSON.stringify(c.key)} == ${literal(c.value)}`] : [],
  );
  return equalities.length === 0 ? null : equalities.join(" && ");
}
