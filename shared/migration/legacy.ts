/**
 * The legacy store: one ChromaDB holding `user_memories` and `global_facts` (WhisperEngine style).
 * Records are classified by `type`, then by id pattern, then by the presence of user_message /
 * bot_response; nothing is skipped silently: a record is either classified or given a reason.
 */

import { userIdPattern } from "../domain/identity.js";
import { isStorableText, unstorableRule } from "../domain/storable.js";
import type { LegacyRecord } from "../tiers/legacy-source.js";

export type { LegacyMetadata, LegacyRecord } from "../tiers/legacy-source.js";

export type LegacyKind = "conversation" | "user_fact" | "global_fact" | "personality_fact" | "versioned_fact";

export type Classification =
  | { kind: LegacyKind; userId: string | null; via: "type" | "id" | "fields" }
  | { kind: "unclassifiable"; reason: string };

const isoInId = /_(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)_/;

/** The user a record belongs to: metadata.user_id, else what precedes `_fact_`, `_personality_` or the ISO time in its id. */
export function legacyUserId(record: LegacyRecord): string | null {
  const fromMeta = record.metadata?.user_id;
  if (typeof fromMeta === "string" && fromMeta.trim() !== "") return fromMeta;
  if (typeof fromMeta === "number") return String(fromMeta);
  for (const marker of ["_fact_", "_personality_"]) {
    const at = record.id.indexOf(marker);
    if (at > 0) return record.id.slice(0, at);
  }
  const iso = isoInId.exec(record.id);
  return iso && iso.index > 0 ? record.id.slice(0, iso.index) : null;
}

export function classify(record: LegacyRecord): Classification {
  const meta = record.metadata ?? {};
  const userId = legacyUserId(record);
  const type = typeof meta.type === "string" ? meta.type : undefined;
  const byType: Record<string, LegacyKind> = {
    conversation: "conversation",
    user_fact: "user_fact",
    global_fact: "global_fact",
    personality_fact: "personality_fact",
    personality: "personality_fact",
  };
  if (type && byType[type]) return withUser(byType[type], userId, "type", record);
  if (record.collection === "global_facts") return { kind: "global_fact", userId: null, via: "id" };
  if (/_personality_/.test(record.id)) return withUser("personality_fact", userId, "id", record);
  if (/_fact_/.test(record.id)) return withUser("user_fact", userId, "id", record);
  if ("fact_type" in meta || "version" in meta) return withUser("versioned_fact", userId, "fields", record);
  if ("user_message" in meta || "bot_response" in meta || parseDocument(record.document))
    return withUser("conversation", userId, "fields", record);
  return {
    kind: "unclassifiable",
    reason: type ? `unknown type "${type}"` : "no type, id pattern or conversation fields",
  };
}

function withUser(
  kind: LegacyKind,
  userId: string | null,
  via: "type" | "id" | "fields",
  record: LegacyRecord,
): Classification {
  if (kind === "global_fact") return { kind, userId: null, via };
  if (!userId)
    return { kind: "unclassifiable", reason: `${kind} without a user (no user_id, id "${record.id}")` };
  return { kind, userId, via };
}

/** "User: ...\nAssistant: ..." (or "Bot:"), the user part possibly spanning lines. */
export function parseDocument(
  document: string | null,
): { userMessage: string; botResponse: string } | undefined {
  if (!document) return undefined;
  const match = /^User:\s?([\s\S]*?)\n(?:Assistant|Bot):\s?([\s\S]*)$/.exec(document);
  return match ? { userMessage: match[1] ?? "", botResponse: match[2] ?? "" } : undefined;
}

/** Legacy timestamps are naive ISO (`2025-09-18T14:03:22.123456`), meant as UTC; offsets are honoured. */
export function parseLegacyTimestamp(value: unknown): Date | undefined {
  if (typeof value === "number")
    return Number.isFinite(value) ? new Date(value > 1e12 ? value : value * 1000) : undefined;
  if (typeof value !== "string") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    value.trim(),
  );
  if (!m) return undefined;
  const millis = (m[2] ?? "").padEnd(3, "0").slice(0, 3);
  const date = new Date(`${(m[1] ?? "").replace(" ", "T")}.${millis}${m[3] ?? "Z"}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** What a legacy conversation becomes: an exchange input, with every legacy field kept. */
export interface MigratedConversation {
  userId: string;
  /** A legacy fact is a note. Default: an exchange. */
  kind?: "note";
  userMessage: string;
  botResponse: string;
  timestamp: Date;
  /** Deterministic: a re-run or a resume stores nothing twice. */
  idempotencyKey: string;
  /** The legacy channel_id, when it is one the API can name. */
  sessionId?: string;
  metadata: Record<string, unknown>;
}

/** A legacy channel_id as a session id (numbers too); undefined for one the API could not name. */
export function sessionOfChannel(channel: unknown): string | undefined {
  const id = typeof channel === "number" && Number.isFinite(channel) ? String(channel) : channel;
  return typeof id === "string" && userIdPattern.test(id) ? id : undefined;
}

/**
 * Maps a legacy conversation. Message text comes from metadata, else from the document; the time
 * from metadata.timestamp, else from the id; all legacy metadata is kept under `legacy`.
 */
export function toExchange(
  record: LegacyRecord,
  userId: string,
  migratedAt: Date,
): MigratedConversation | { reason: string } {
  const meta = record.metadata ?? {};
  const parsed = parseDocument(record.document);
  const userMessage = typeof meta.user_message === "string" ? meta.user_message : parsed?.userMessage;
  const botResponse = typeof meta.bot_response === "string" ? meta.bot_response : parsed?.botResponse;
  if (userMessage === undefined && botResponse === undefined)
    return { reason: "conversation without user_message, bot_response or a User:/Assistant: document" };
  if (!(userMessage ?? "").trim() && !(botResponse ?? "").trim())
    return { reason: "conversation with empty text" };
  if (!isStorableText(`${userMessage}${botResponse}`)) return { reason: unstorableReason };
  const timestamp =
    parseLegacyTimestamp(meta.timestamp) ?? parseLegacyTimestamp(isoInId.exec(record.id)?.[1]);
  const sessionId = sessionOfChannel(meta.channel_id);
  return {
    userId,
    userMessage: userMessage ?? "",
    botResponse: botResponse ?? "",
    timestamp: timestamp ?? migratedAt,
    idempotencyKey: `legacy:${record.id}`,
    ...(sessionId ? { sessionId } : {}),
    metadata: { legacy: legacyEnvelope(record, timestamp) },
  };
}

/** Why a record with text Postgres cannot store is not migrated. */
export const unstorableReason = `text ${unstorableRule.replace("must not contain", "contains")}`;

/** Every legacy field, kept with the migrated exchange under `metadata.legacy`. */
export function legacyEnvelope(record: LegacyRecord, timestamp: Date | undefined) {
  return {
    id: record.id,
    collection: record.collection,
    metadata: record.metadata ?? {},
    ...(timestamp ? {} : { timestampMissing: true }),
  };
}
