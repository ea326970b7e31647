/**
 * What one import record becomes: an archive row under `<tenant>/<userId>`, or the reason it cannot
 * be stored. The rules are the ones the API applies to a store (the domain's, not re-invented), so an
 * import accepts exactly what a caller could have stored one by one. Everything is derived from the
 * record alone: importing the same file twice derives the same ids and keys, and writes nothing twice.
 */
import { createHash } from "node:crypto";
import { v5 as uuidv5 } from "uuid";
import { userIdPattern, userIdRule, userKey } from "../domain/identity.js";
import { isStorableText, jsonValueProblem, textBounds, unstorableRule } from "../domain/storable.js";
import type { NewExchange } from "../tiers/archive.js";
import type { ImportRecord } from "./records.js";

export type ImportPlan = { exchange: NewExchange } | { skip: string };

export interface ImportPlanOptions {
  tenant: string;
  /** The time of records that carry none. */
  importedAt: Date;
}

/** The longest source id a record may carry (an idempotency key's limit in the API). */
export const maxExternalIdChars = 255;

export function planImportRecord(record: ImportRecord, options: ImportPlanOptions): ImportPlan {
  const problem = recordProblem(record);
  if (problem) return { skip: problem };
  const userId = userKey(options.tenant, record.userId);
  const idempotencyKey = importIdempotencyKey(record);
  const exchange: NewExchange = {
    id: importExchangeId(userId, idempotencyKey),
    userId,
    kind: record.kind,
    userMessage: record.userMessage,
    botResponse: record.botResponse,
    metadata: { ...record.metadata },
    timestamp: record.timestamp ?? options.importedAt,
    idempotencyKey,
  };
  if (record.speaker !== undefined) exchange.speaker = record.speaker;
  if (record.sessionId !== undefined) exchange.sessionId = record.sessionId;
  if (record.agentId !== undefined) exchange.agentId = record.agentId;
  return { exchange };
}

/** The first rule the record breaks, as "field: rule", or undefined. */
function recordProblem(r: ImportRecord): string | undefined {
  for (const [field, id] of [
    ["userId", r.userId],
    ["sessionId", r.sessionId],
    ["agentId", r.agentId],
  ] as const) {
    if (id !== undefined && !userIdPattern.test(id)) return `${field}: must be ${userIdRule}`;
  }
  // A note's text is its userMessage; name it as the caller wrote it.
  const messageField = r.kind === "note" ? "text" : "userMessage";
  for (const [field, value] of [
    [messageField, r.userMessage],
    ["botResponse", r.botResponse],
  ] as const) {
    if (value.length > textBounds.message) return `${field}: longer than ${textBounds.message} characters`;
    if (!isStorableText(value)) return `${field}: ${unstorableRule}`;
  }
  if (r.userMessage.trim() === "" && r.botResponse.trim() === "")
    return r.kind === "note" ? "text: must not be blank" : "userMessage and botResponse cannot both be empty";
  if (r.speaker !== undefined) {
    if (r.speaker.length > textBounds.speaker) return `speaker: longer than ${textBounds.speaker} characters`;
    if (!isStorableText(r.speaker)) return `speaker: ${unstorableRule}`;
    if (!/\S/.test(r.speaker)) return "speaker: must not be blank";
  }
  if (r.timestamp !== undefined && Number.isNaN(r.timestamp.getTime())) return "timestamp: not a valid date";
  const metadataProblem = r.metadata === undefined ? undefined : jsonValueProblem(r.metadata);
  if (metadataProblem) return `metadata: ${metadataProblem}`;
  if (r.externalId !== undefined) {
    if (r.externalId === "") return "externalId: must not be empty";
    if (r.externalId.length > maxExternalIdChars)
      return `externalId: longer than ${maxExternalIdChars} characters`;
    if (!isStorableText(r.externalId)) return `externalId: ${unstorableRule}`;
  }
  return undefined;
}

/**
 * The key that makes a re-import write nothing: the source's id when the record has one, else a
 * fingerprint of everything stored (so the same line, imported again, is the same key).
 */
export function importIdempotencyKey(r: ImportRecord): string {
  if (r.externalId !== undefined) return `import:ext:${r.externalId}`;
  const fields = [
    r.userId,
    r.kind,
    r.sessionId ?? "",
    r.agentId ?? "",
    r.speaker ?? "",
    r.timestamp?.toISOString() ?? "",
    r.userMessage,
    r.botResponse,
  ];
  return `import:sha:${createHash("sha256").update(fields.join("\u0000")).digest("hex").slice(0, 32)}`;
}

/** The namespace of imported exchanges' name-based ids (fixed: changing it would change every id). */
const importIdNamespace = "8d0f6a3e-2b7c-4e91-a5d4-3c6e9b1f7a20";

/** A name-based UUID (v5) of user key and idempotency key: the same record, the same row. */
export const importExchangeId = (userKey: string, idempotencyKey: string): string =>
  uuidv5(`${userKey}\u0000${idempotencyKey}`, importIdNamespace);
