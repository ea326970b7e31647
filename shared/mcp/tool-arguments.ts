/** Tool arguments several MCP tools share, described once, and what a read's selection becomes. */
import { z } from "zod";
import { parseOrBadRequest } from "../api/parse.js";
import { MetadataFilter } from "../api/schemas.js";
import type { Filter } from "../domain/filter.js";

export const sessionId = z
  .string()
  .optional()
  .describe("A thread, channel or conversation of the user's (same characters as userId).");
export const agentId = z.string().optional().describe("Which bot or persona (same characters as userId).");
export const filter = z
  .record(z.string(), z.unknown())
  .optional()
  .describe(
    'Only exchanges whose metadata and time match, e.g. {"metadata.topic": {"$in": ["billing", "refunds"]}, "createdAt": {"$gte": "2026-01-01T00:00:00Z"}}. Operators: $eq $ne $in $nin $gt $gte $lt $lte, $and/$or lists.',
  );

const FilterArgument = z.object({ filter: MetadataFilter.optional() });

/** The filter argument, parsed (a bad one is a tool error naming the place, as REST's 400). */
export const parseFilterArgument = (raw: Record<string, unknown> | undefined): Filter | undefined =>
  parseOrBadRequest(FilterArgument, { filter: raw }).filter;
