/** The filter grammar's errors, and the meaning of a filter as the domain's matcher applies it (the spec the stores' contract suites share). */
import { describe, expect, it } from "vitest";
import { holdsForWindow, matchesFilter, sharedMetadata } from "../../../shared/domain/filter.js";
import { FilterSyntaxError, filterLimits, parseFilter } from "../../../shared/domain/filter-grammar.js";
import { filterCases, filterExchanges, filterTime } from "../../contracts/filter-cases.js";

describe("the meaning of a filter", () => {
  it.each(filterCases)("$name", ({ filter, selects }) => {
    const parsed = parseFilter(filter);
    const selected = filterExchanges.flatMap((metadata, i) =>
      matchesFilter(parsed, { metadata, createdAt: filterTime(i) }) ? [i] : [],
    );
    expect(selected).toEqual(selects);
  });

  it("holds for a window only when it holds for every exchange the window's shared facts stand for", () => {
    const window = [{ metadata: { topic: "a", n: 1 } }, { metadata: { topic: "a", n: 2 } }];
    const shared = sharedMetadata(window);
    expect(shared).toEqual({ topic: "a" });
    const span = { metadata: shared, startAt: new Date(1000), endAt: new Date(2000) };
    expect(holdsForWindow(parseFilter({ "metadata.topic": "a" }), span)).toBe(true);
    expect(holdsForWindow(parseFilter({ "metadata.n": 1 }), span)).toBe(false);
    expect(holdsForWindow(parseFilter({ $or: [{ "metadata.n": 1 }, { "metadata.topic": "a" }] }), span)).toBe(
      true,
    );
    expect(
      holdsForWindow(parseFilter({ $and: [{ "metadata.n": 1 }, { "metadata.topic": "b" }] }), span),
    ).toBe(false);
  });
});

describe("the filter grammar", () => {
  const error = (raw: unknown) => {
    try {
      parseFilter(raw);
    } catch (e) {
      if (e instanceof FilterSyntaxError) return e.message;
      throw e;
    }
    return "parsed";
  };

  it("reads several clauses and several operators as all of them", () => {
    expect(parseFilter({ "metadata.a": 1, "metadata.b": { $gt: 1, $lt: 5 } })).toEqual({
      and: [
        { key: "a", op: "eq", value: 1 },
        { key: "b", op: "gt", value: 1 },
        { key: "b", op: "lt", value: 5 },
      ],
    });
  });

  it.each([
    [[], "must be an object of clauses"],
    [{}, "must have at least one clause"],
    [{ topic: "x" }, "topic: unknown field (fields are createdAt and metadata.<key>)"],
    [{ "metadata.": 1 }, "metadata.: the key must be 1-128 characters"],
    [{ $not: [] }, "$not: unknown operator"],
    [{ $or: [] }, "$or: must be a non-empty list of filters"],
    [{ $and: [{ "metadata.a": { $regex: "x" } }] }, "$and.0.metadata.a.$regex: unknown operator"],
    [{ "metadata.a": null }, "metadata.a: must be a string, a number or a boolean"],
    [{ "metadata.a": { $in: [] } }, "metadata.a.$in: must be a list of 1-100 values"],
    [{ "metadata.a": { $in: [1, [2]] } }, "metadata.a.$in.1: must be a string, a number or a boolean"],
    [{ "metadata.a": { $gt: true } }, "metadata.a.$gt: a range needs a number or a string"],
    [{ createdAt: { $gte: "yesterday" } }, "createdAt.$gte: must be an ISO 8601 date-time"],
    [{ createdAt: { $gte: "2026-01-01" } }, "createdAt.$gte: must be an ISO 8601 date-time"],
    [{ createdAt: "2026-01-01T00:00:00Z" }, "createdAt: must be an object of ranges"],
    [{ createdAt: { $eq: "2026-01-01T00:00:00Z" } }, "createdAt.$eq: createdAt takes only"],
    [{ "metadata.a": "x".repeat(1001) }, "metadata.a: longer than 1000 characters"],
  ])("refuses %j: %s", (raw, message) => {
    expect(error(raw)).toContain(message);
  });

  it("refuses a filter nested too deep or with too many conditions", () => {
    let deep: Record<string, unknown> = { "metadata.a": 1 };
    for (let i = 0; i < filterLimits.depth; i++) deep = { $and: [deep] };
    expect(error(deep)).toContain(`nested deeper than ${filterLimits.depth} levels`);
    const many = {
      $or: Array.from({ length: filterLimits.conditions + 1 }, (_, i) => ({ "metadata.a": i })),
    };
    expect(error(many)).toContain(`more than ${filterLimits.conditions} conditions`);
  });
});
