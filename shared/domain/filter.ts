/**
 * Filters on what was stored with an exchange (its metadata) and when (its time), as every tier
 * applies them. One meaning everywhere, tested on each store by the same contract suites:
 * - a metadata value that is a list matches when any of its elements does (tags);
 * - values compare only with values of their own type (3 never equals "3"; a range on a string
 *   compares text in code-point order, so ISO-8601 times of one format sort as times);
 * - `ne` and `nin` are "not eq" and "not in": they match an exchange that lacks the key.
 * The grammar a request uses, and its limits, are in filter-grammar.ts.
 */
import type { Metadata, Scope } from "./types.js";

export type Scalar = string | number | boolean;
export type RangeOp = "gt" | "gte" | "lt" | "lte";

export type Condition =
  | { key: string; op: "eq" | "ne"; value: Scalar }
  | { key: string; op: "in" | "nin"; values: Scalar[] }
  | { key: string; op: RangeOp; value: number | string }
  | { time: RangeOp; at: Date };

export type Filter = { and: Filter[] } | { or: Filter[] } | Condition;

/** What a read keeps to: a session and/or agent, and a filter. */
export interface Selection {
  scope?: Scope;
  filter?: Filter;
}

/** What a filter looks at in an exchange, a note or a fact (a fact: its exchange's). */
export interface Filterable {
  metadata: Metadata;
  createdAt: Date;
}

const inOrder: Record<RangeOp, (c: number) => boolean> = {
  gt: (c) => c > 0,
  gte: (c) => c >= 0,
  lt: (c) => c < 0,
  lte: (c) => c <= 0,
};

const elements = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

/** Whether one stored value (a list: any element) satisfies a metadata condition. */
function valueMatches(c: Exclude<Condition, { time: RangeOp }>, value: unknown): boolean {
  const items = elements(value);
  switch (c.op) {
    case "eq":
      return items.some((v) => v === c.value);
    case "ne":
      return !items.some((v) => v === c.value);
    case "in":
      return items.some((v) => c.values.some((w) => w === v));
    case "nin":
      return !items.some((v) => c.values.some((w) => w === v));
    default: {
      const holds = inOrder[c.op];
      return items.some(
        (v) =>
          typeof v === typeof c.value && holds(compare(v as string | number, c.value as string | number)),
      );
    }
  }
}

/** Whether an exchange (note, fact) satisfies the filter. */
export function matchesFilter(filter: Filter, item: Filterable): boolean {
  if ("and" in filter) return filter.and.every((f) => matchesFilter(f, item));
  if ("or" in filter) return filter.or.some((f) => matchesFilter(f, item));
  if ("time" in filter) return inOrder[filter.time](compare(item.createdAt.getTime(), filter.at.getTime()));
  return valueMatches(
    filter,
    Object.hasOwn(item.metadata, filter.key) ? item.metadata[filter.key] : undefined,
  );
}

/**
 * What a window of exchanges (a summary) is known to have: the metadata entries all its exchanges
 * share, and its first and last time. A filter holds for the window when it holds for every one of
 * its exchanges; about a key the window does not share, nothing is known.
 */
export interface WindowFacts {
  metadata: Metadata;
  startAt: Date;
  endAt: Date;
}

type Known = boolean | undefined;

function windowValue(filter: Filter, w: WindowFacts): Known {
  if ("and" in filter) {
    const parts = filter.and.map((f) => windowValue(f, w));
    return parts.includes(false) ? false : parts.includes(undefined) ? undefined : true;
  }
  if ("or" in filter) {
    const parts = filter.or.map((f) => windowValue(f, w));
    return parts.includes(true) ? true : parts.includes(undefined) ? undefined : false;
  }
  if ("time" in filter) {
    const first = inOrder[filter.time](compare(w.startAt.getTime(), filter.at.getTime()));
    const last = inOrder[filter.time](compare(w.endAt.getTime(), filter.at.getTime()));
    return first === last ? first : undefined;
  }
  return Object.hasOwn(w.metadata, filter.key) ? valueMatches(filter, w.metadata[filter.key]) : undefined;
}

/** Whether the filter is known to hold for every exchange of the window (unknown counts as no). */
export const holdsForWindow = (filter: Filter, window: WindowFacts) => windowValue(filter, window) === true;

/** The metadata entries every one of these exchanges has, with equal values. */
export function sharedMetadata(items: readonly { metadata: Metadata }[]): Metadata {
  const [first, ...rest] = items;
  if (!first) return {};
  const shared: Metadata = {};
  for (const [key, value] of Object.entries(first.metadata)) {
    const text = JSON.stringify(value);
    if (rest.every((e) => Object.hasOwn(e.metadata, key) && JSON.stringify(e.metadata[key]) === text))
      shared[key] = value;
  }
  return shared;
}

/**
 * How many candidates a store that checks a filter itself (after its own search) asks for, so that
 * enough are left after the check.
 */
export const candidatesFor = (limit: number, filter?: Filter) =>
  filter ? Math.max(limit, Math.min(limit * 5, 300)) : limit;

/** Whether the filter looks at metadata (a cache that keeps none cannot apply it). */
export const readsMetadata = (filter: Filter): boolean =>
  "and" in filter
    ? filter.and.some(readsMetadata)
    : "or" in filter
      ? filter.or.some(readsMetadata)
      : !("time" in filter);
