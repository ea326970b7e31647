/**
 * The meaning of a filter, as cases every store that applies one must pass: seven exchanges' metadata
 * (exchange i happened on day i after `filterStart`), and filters with the exchanges they select.
 * Run on the archive, the knowledge graph (a fact: its exchange's) and the domain's own matcher.
 */
import type { Metadata } from "../../shared/domain/types.js";

export const filterStart = Date.UTC(2025, 2, 1);
const dayMs = 86_400_000;
const onDay = (n: number) => new Date(filterStart + n * dayMs).toISOString();

export const tricky = 'it\'s "quoted" \\ ü\n$.x == 1';

export const filterExchanges: Metadata[] = [
  { topic: "billing", priority: 3, tags: ["urgent", "vip"], due: "2026-03-01" },
  { topic: "refunds", priority: 1, tags: ["vip"] },
  { topic: "billing", priority: "3" },
  {},
  { topic: "shipping", priority: 5.5, flag: true },
  { topic: "Billing", nested: { a: 1 }, priority: 10 },
  { topic: tricky, 'we"ird key': 1 },
];

export const filterCases: { name: string; filter: Record<string, unknown>; selects: number[] }[] = [
  { name: "equality", filter: { "metadata.topic": "billing" }, selects: [0, 2] },
  { name: "$eq", filter: { "metadata.topic": { $eq: "billing" } }, selects: [0, 2] },
  {
    name: "$ne matches a missing key",
    filter: { "metadata.topic": { $ne: "billing" } },
    selects: [1, 3, 4, 5, 6],
  },
  { name: "$in", filter: { "metadata.topic": { $in: ["billing", "refunds"] } }, selects: [0, 1, 2] },
  { name: "$nin", filter: { "metadata.topic": { $nin: ["billing", "refunds"] } }, selects: [3, 4, 5, 6] },
  { name: "a number range skips a string", filter: { "metadata.priority": { $gt: 2 } }, selects: [0, 4, 5] },
  { name: "two bounds", filter: { "metadata.priority": { $gte: 3, $lt: 10 } }, selects: [0, 4] },
  { name: "3 is not '3'", filter: { "metadata.priority": 3 }, selects: [0] },
  { name: "'3' is not 3", filter: { "metadata.priority": "3" }, selects: [2] },
  { name: "a list matches by any element", filter: { "metadata.tags": "vip" }, selects: [0, 1] },
  { name: "$nin on a list", filter: { "metadata.tags": { $nin: ["urgent"] } }, selects: [1, 2, 3, 4, 5, 6] },
  { name: "a boolean", filter: { "metadata.flag": true }, selects: [4] },
  { name: "a string range", filter: { "metadata.due": { $gte: "2026-01-01" } }, selects: [0] },
  { name: "an object never equals", filter: { "metadata.nested": 1 }, selects: [] },
  {
    name: "$or",
    filter: { $or: [{ "metadata.topic": "refunds" }, { "metadata.flag": true }] },
    selects: [1, 4],
  },
  {
    name: "$and",
    filter: { $and: [{ "metadata.topic": "billing" }, { "metadata.priority": { $gte: 3 } }] },
    selects: [0],
  },
  { name: "a time range", filter: { createdAt: { $gte: onDay(2), $lt: onDay(5) } }, selects: [2, 3, 4] },
  {
    name: "time within $or",
    filter: { $or: [{ createdAt: { $lt: onDay(1) } }, { "metadata.topic": "shipping" }] },
    selects: [0, 4],
  },
  {
    name: "$ne on a key none has",
    filter: { "metadata.missing": { $ne: "x" } },
    selects: [0, 1, 2, 3, 4, 5, 6],
  },
  { name: "quotes, backslashes and jsonpath in a value", filter: { "metadata.topic": tricky }, selects: [6] },
  { name: "a quote in a key", filter: { 'metadata.we"ird key': 1 }, selects: [6] },
  { name: "nothing matches", filter: { "metadata.topic": "none" }, selects: [] },
];

/** When exchange `i` of the cases happened. */
export const filterTime = (i: number) => new Date(filterStart + i * dayMs);
