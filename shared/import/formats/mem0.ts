/**
 * Mem0's memories: the JSON its `get_all` returns (`{ results: [...] }`, or a bare list, as people
 * save it) or one memory object per line. A memory is a fact about the user, so it becomes a note.
 * Exports carry many keys we have no use for (hash, updated_at, owner, ...) and write null for what
 * is absent, so unknown keys are ignored and null counts as absent.
 */
import { z } from "zod";
import type { ImportUnit, ParsedUnit } from "../records.js";
import { plainObject, withoutUndefined } from "./ndjson.js";
import { parseWith, readObject, splitLines, stripBom, unlessMissing } from "./unit.js";

/** Mem0 writes Python's isoformat(): with an offset, or without one (which we read as UTC). */
const mem0DateTime = z.iso.datetime({
  offset: true,
  local: true,
  error: unlessMissing("not an ISO 8601 date-time"),
});
const hasOffset = /(?:Z|[+-]\d{2}:\d{2})$/i;

const Memory = z.looseObject({
  id: z.string().nullish(),
  memory: z.string(),
  user_id: z.string(),
  agent_id: z.string().nullish(),
  run_id: z.string().nullish(),
  created_at: mem0DateTime.nullish(),
  metadata: plainObject.nullish(),
  categories: z.array(z.string()).nullish(),
});

/** Each memory of a JSON document (item n is "line" n + 1), or else one per line of NDJSON. */
export function splitMem0(text: string): ImportUnit[] {
  const items = documentItems(stripBom(text).trim());
  if (!items) return splitLines(text);
  return items.map((item, i) => ({ line: i + 1, text: JSON.stringify(item) }));
}

/** The memories of a whole-file JSON document, or undefined when the file is not one. */
function documentItems(text: string): unknown[] | undefined {
  // NDJSON of several lines never parses as a whole; a file of one object falls through to NDJSON.
  if (!text.startsWith("[") && !text.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(value)) return value;
  if (!value || typeof value !== "object") return undefined;
  const { results, memories } = value as { results?: unknown; memories?: unknown };
  if (Array.isArray(results)) return results;
  if (Array.isArray(memories)) return memories;
  return undefined;
}

export function parseMem0(unit: ImportUnit): ParsedUnit {
  const { line } = unit;
  const read = readObject(unit);
  if ("error" in read) return { line, error: read.error };
  const parsed = parseWith(Memory, read.value);
  if ("error" in parsed) return { line, error: parsed.error };
  const m = parsed.data;
  const createdAt = m.created_at ?? undefined;
  const metadata = withoutUndefined({ ...m.metadata, source: "mem0", categories: m.categories ?? undefined });
  return {
    line,
    records: [
      withoutUndefined({
        userId: m.user_id,
        kind: "note" as const,
        userMessage: m.memory,
        botResponse: "",
        timestamp:
          createdAt === undefined
            ? undefined
            : new Date(hasOffset.test(createdAt) ? createdAt : `${createdAt}Z`),
        sessionId: m.run_id ?? undefined,
        agentId: m.agent_id ?? undefined,
        metadata,
        externalId: m.id ?? undefined,
      }),
    ],
  };
}
