/**
 * What one legacy record becomes: an exchange for the archive (conversations as they were, facts as
 * notes: the fact's text as the user's message, no reply), or a reason it cannot be migrated.
 * Everything is derived from the record alone, so a dry run, a real run, a resume and a validation
 * all reach the same answer.
 */
import { createHash } from "node:crypto";
import type { NewExchange } from "../tiers/postgres/migration-runs.js";
import {
  classify,
  type LegacyKind,
  type LegacyRecord,
  type MigratedConversation,
  parseLegacyTimestamp,
  toExchange,
} from "./legacy.js";

/** Global facts have no user; they go to this user of the tenant, readable like any other. */
export const globalFactsUser = "_global";

/** The user ids the API accepts; a legacy id outside them could never be read back. */
const apiUserId = /^[A-Za-z0-9._:@-]{1,128}$/;

export type RecordPlan =
  | { kind: LegacyKind; legacyUserId: string; exchange: NewExchange }
  | { kind: LegacyKind | "unclassifiable"; legacyUserId: string | null; skip: string };

export interface PlanOptions {
  tenant: string;
  /** Used for records that carry no time at all. */
  migratedAt: Date;
}

export function planRecord(record: LegacyRecord, options: PlanOptions): RecordPlan {
  const c = classify(record);
  if (c.kind === "unclassifiable") return { kind: c.kind, legacyUserId: null, skip: c.reason };
  const legacyUserId = c.userId ?? globalFactsUser;
  if (!apiUserId.test(legacyUserId))
    return {
      kind: c.kind,
      legacyUserId,
      skip: `user_id "${legacyUserId.slice(0, 80)}" is not a valid API user id (1-128 of letters, digits, . _ : @ -)`,
    };
  const userId = `${options.tenant}/${legacyUserId}`;
  const mapped =
    c.kind === "conversation"
      ? toExchange(record, userId, options.migratedAt)
      : toNote(record, userId, c.kind, options.migratedAt);
  if ("reason" in mapped) return { kind: c.kind, legacyUserId, skip: mapped.reason };
  return { kind: c.kind, legacyUserId, exchange: { ...mapped, id: exchangeIdFor(userId, record.id) } };
}

/** A fact becomes a note: its text as the user's message, no reply, the legacy fields kept. */
function toNote(
  record: LegacyRecord,
  userId: string,
  kind: LegacyKind,
  migratedAt: Date,
): MigratedConversation | { reason: string } {
  const meta = record.metadata ?? {};
  const text = (record.document ?? (typeof meta.content === "string" ? meta.content : "")).trim();
  if (!text) return { reason: `${kind} with no text` };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Postgres cannot store NUL.
  if (/\u0000/.test(text)) return { reason: "text contains NUL (U+0000), which Postgres cannot store" };
  const timestamp = parseLegacyTimestamp(meta.timestamp) ?? parseLegacyTimestamp(meta.created_at);
  return {
    userId,
    userMessage: text,
    botResponse: "",
    timestamp: timestamp ?? migratedAt,
    idempotencyKey: `legacy:${record.id}`,
    metadata: {
      kind: "fact",
      factKind: kind,
      legacy: {
        id: record.id,
        collection: record.collection,
        metadata: meta,
        ...(timestamp ? {} : { timestampMissing: true }),
      },
    },
  };
}

/** A UUID derived from user and legacy id (SHA-256, version nibble 8): the same record, the same row. */
export function exchangeIdFor(userId: string, legacyId: string): string {
  const h = createHash("sha256").update(`${userId}\u0000${legacyId}`).digest("hex");
  const variant = ((Number.parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Content fingerprint of what the archive must hold for a record. */
export function contentHash(e: Pick<NewExchange, "userMessage" | "botResponse">): string {
  return createHash("sha256").update(`${e.userMessage}\u0000${e.botResponse}`).digest("hex").slice(0, 16);
}
