/**
 * Our own format: one JSON object per line, an exchange (userMessage, botResponse) or a note (text).
 * The schemas check shapes and types only, and refuse keys they do not know (a typo would otherwise
 * drop a field silently); the rules a store obeys (user id characters, lengths, storable text) are
 * the plan's (../plan.ts), so they live in one place for every format.
 */
import { z } from "zod";
import type { ImportRecord, ImportUnit, ParsedUnit } from "../records.js";
import { parseWith, readObject, unlessMissing } from "./unit.js";

export const offsetDateTime = z.iso.datetime({
  offset: true,
  error: unlessMissing("not an ISO 8601 date-time with offset"),
});
export const plainObject = z.record(z.string(), z.unknown(), {
  error: unlessMissing("must be a JSON object"),
});

const common = {
  userId: z.string(),
  timestamp: offsetDateTime.optional(),
  speaker: z.string().optional(),
  sessionId: z.string().optional(),
  agentId: z.string().optional(),
  metadata: plainObject.optional(),
  externalId: z.string().optional(),
  /** An alias of externalId. */
  id: z.string().optional(),
};

const kindError = { error: unlessMissing('must be "exchange" or "note"') };

const NativeExchange = z
  .object({
    ...common,
    kind: z.literal("exchange", kindError).optional(),
    userMessage: z.string(),
    botResponse: z.string(),
  })
  .strict();

const NativeNote = z.object({ ...common, kind: z.literal("note", kindError), text: z.string() }).strict();

type Common = Omit<z.infer<typeof NativeNote>, "kind" | "text">;

export function parseNative(unit: ImportUnit): ParsedUnit {
  const { line } = unit;
  const read = readObject(unit);
  if ("error" in read) return { line, error: read.error };
  const parsed =
    read.value.kind === "note" ? parseWith(NativeNote, read.value) : parseWith(NativeExchange, read.value);
  if ("error" in parsed) return { line, error: parsed.error };
  const r = parsed.data;
  if (r.id !== undefined && r.externalId !== undefined && r.id !== r.externalId)
    return { line, error: "id: an alias of externalId; give one of them" };
  const texts =
    "text" in r
      ? { kind: "note" as const, userMessage: r.text, botResponse: "" }
      : { kind: "exchange" as const, userMessage: r.userMessage, botResponse: r.botResponse };
  return { line, records: [{ ...recordFields(r), ...texts }] };
}

/** The fields every kind shares, leaving out those the line did not give. */
function recordFields(r: Common): Omit<ImportRecord, "kind" | "userMessage" | "botResponse"> {
  return withoutUndefined({
    userId: r.userId,
    timestamp: r.timestamp === undefined ? undefined : new Date(r.timestamp),
    speaker: r.speaker,
    sessionId: r.sessionId,
    agentId: r.agentId,
    metadata: r.metadata,
    externalId: r.externalId ?? r.id,
  });
}

/** A copy without the keys whose value is undefined (records compare and serialize cleanly). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
