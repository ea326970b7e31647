/**
 * The filter grammar a request writes (JSON, in the style of MongoDB and Chroma), parsed into a
 * Filter with a precise message for the first thing wrong:
 *
 *   filter    = { clause, ... }                       every clause must hold
 *   clause    = "$and": [filter, ...] | "$or": [filter, ...]
 *             | "metadata.<key>": value               equality
 *             | "metadata.<key>": { op: operand, ... } every op must hold
 *             | "createdAt": { range: "<ISO date-time>", ... }
 *   op        = "$eq" | "$ne" (value) | "$in" | "$nin" ([value, ...]) | range
 *   range     = "$gt" | "$gte" | "$lt" | "$lte" (a number, or a string)
 *   value     = a string, a number or a boolean
 */
import type { Condition, Filter, RangeOp, Scalar } from "./filter.js";

export const filterLimits = { depth: 6, conditions: 64, listValues: 100, keyLength: 128, textLength: 1000 };

/** What is wrong, and where: `path` leads from the filter's root to the offending part. */
export class FilterSyntaxError extends Error {
  constructor(
    readonly path: (string | number)[],
    readonly reason: string,
  ) {
    super(path.length > 0 ? `${path.join(".")}: ${reason}` : reason);
  }
}

type Path = (string | number)[];

const ranges: Record<string, RangeOp> = { $gt: "gt", $gte: "gte", $lt: "lt", $lte: "lte" };
const metadataPrefix = "metadata.";
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses a filter as a request gives it (already JSON-decoded); throws FilterSyntaxError. */
export function parseFilter(raw: unknown): Filter {
  const state = { conditions: 0 };
  return parseObject(raw, [], 1, state);
}

function fail(path: Path, reason: string): never {
  throw new FilterSyntaxError(path, reason);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function parseObject(raw: unknown, path: Path, depth: number, state: { conditions: number }): Filter {
  if (depth > filterLimits.depth) fail(path, `nested deeper than ${filterLimits.depth} levels`);
  if (!isObject(raw)) fail(path, "must be an object of clauses");
  const entries = Object.entries(raw);
  if (entries.length === 0) fail(path, "must have at least one clause");
  const parts = entries.flatMap(([key, value]) => parseClause(key, value, [...path, key], depth, state));
  return parts.length === 1 ? (parts[0] as Filter) : { and: parts };
}

function parseClause(
  key: string,
  value: unknown,
  path: Path,
  depth: number,
  state: { conditions: number },
): Filter[] {
  if (key === "$and" || key === "$or") {
    if (!Array.isArray(value) || value.length === 0) fail(path, "must be a non-empty list of filters");
    const of = value.map((f, i) => parseObject(f, [...path, i], depth + 1, state));
    return [key === "$and" ? { and: of } : { or: of }];
  }
  if (key.startsWith("$")) fail(path, "unknown operator (at this level: $and, $or, or a field)");
  const conditions = key === "createdAt" ? timeConditions(value, path) : metadataConditions(key, value, path);
  state.conditions += conditions.length;
  if (state.conditions > filterLimits.conditions)
    fail(path, `more than ${filterLimits.conditions} conditions`);
  return conditions;
}

function timeConditions(value: unknown, path: Path): Condition[] {
  if (!isObject(value) || Object.keys(value).length === 0)
    fail(path, "must be an object of ranges ($gt, $gte, $lt, $lte) with ISO 8601 date-times");
  return Object.entries(value).map(([op, at]) => {
    const range = ranges[op];
    if (!range) fail([...path, op], "createdAt takes only $gt, $gte, $lt and $lte");
    const time = typeof at === "string" && isoDateTime.test(at) ? new Date(at) : undefined;
    if (!time || Number.isNaN(time.getTime()))
      fail([...path, op], "must be an ISO 8601 date-time with an offset, like 2026-05-01T00:00:00Z");
    return { time: range, at: time };
  });
}

function metadataConditions(field: string, value: unknown, path: Path): Condition[] {
  if (!field.startsWith(metadataPrefix))
    fail(path, `unknown field (fields are createdAt and ${metadataPrefix}<key>)`);
  const key = field.slice(metadataPrefix.length);
  if (key.length === 0 || key.length > filterLimits.keyLength || /\p{Cc}/u.test(key))
    fail(path, `the key must be 1-${filterLimits.keyLength} characters, without control characters`);
  if (!isObject(value)) return [{ key, op: "eq", value: scalar(value, path) }];
  const ops = Object.entries(value);
  if (ops.length === 0) fail(path, "must be a value or an object of operators");
  return ops.map(([op, operand]): Condition => {
    const at = [...path, op];
    if (op === "$eq" || op === "$ne")
      return { key, op: op === "$eq" ? "eq" : "ne", value: scalar(operand, at) };
    if (op === "$in" || op === "$nin") {
      if (!Array.isArray(operand) || operand.length === 0 || operand.length > filterLimits.listValues)
        fail(at, `must be a list of 1-${filterLimits.listValues} values`);
      return { key, op: op === "$in" ? "in" : "nin", values: operand.map((v, i) => scalar(v, [...at, i])) };
    }
    const range = ranges[op];
    if (!range) fail(at, "unknown operator (use $eq, $ne, $in, $nin, $gt, $gte, $lt or $lte)");
    const bound = scalar(operand, at);
    if (typeof bound === "boolean") fail(at, "a range needs a number or a string");
    return { key, op: range, value: bound };
  });
}

function scalar(value: unknown, path: Path): Scalar {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(path, "must be a finite number");
    return value;
  }
  if (typeof value === "string") {
    if (value.length > filterLimits.textLength)
      fail(path, `longer than ${filterLimits.textLength} characters`);
    return value;
  }
  return fail(path, "must be a string, a number or a boolean");
}
