/**
 * What one legacy record becomes: an exchange for the archive (conversations as they were, facts as
 * notes: the fact's text as the user's message, no reply), or a reason it cannot be migrated.
 * Everything is derived from the record alone, so a dry run, a real run, a resume and a validation
 * all reach the same answer.
 */
import { createHash } from "node:crypto";
import { v5 as uuidv5 } from "uuid";
import { userIdPattern, userIdRule, userKey } from "../domain/identity.js";
import { isStorableText } from "../domain/storable.js";
import type { NewExchange } from "../tiers/archive.js";
import {
  classify,
  type LegacyKind,
  type LegacyRecord,
  legacyEnvelope,
  type MigratedConversation,
  parseLegacyTimestamp,
  toExchange,
  unstorableReason,
} from "./legacy.js";

/** Global facts have no user; they go to this user of the tenant, readable like any other. */
export const globalFactsUser = "_global";

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
  // A legacy id the API does not accept could never be read back.
  if (!userIdPattern.test(legacyUserId))
    return {
      kind: c.kind,
      legacyUserId,
      skip: `user_id "${legacyUserId.slice(0, 80)}" is not a valid API user id (${userIdRule})`,
    };
  const userId = userKey(options.tenant, legacyUserId);
  const mapped =
    c.kind === "conversation"
      ? toExchange(record, userId, options.migratedAt)
      : toNote(record, userId, c.kind, options.migratedAt);
  if ("reason" in mapped) return { kind: c.kind, legacyUserId, skip: mapped.reason };
  return { kind: c.kind, legacyUserId, exchange: { ...mapped, id: exchangeIdFor(userId, record.id) } };
}

/** A fact becomes a note (kind note): its text as the user's message, no reply, the legacy fields kept. */
function toNote(
  record: LegacyRecord,
  userId: string,
  kind: LegacyKind,
  migratedAt: Date,
): MigratedConversation | { reason: string } {
  const meta = record.metadata ?? {};
  const text = (record.document ?? (typeof meta.content === "string" ? meta.content : "")).trim();
  if (!text) return { reason: `${kind} with no text` };
  if (!isStorableText(text)) return { reason: unstorableReason };
  const timestamp = parseLegacyTimestamp(meta.timestamp) ?? parseLegacyTimestamp(meta.created_at);
  return {
    userId,
    kind: "note",
    userMessage: text,
    botResponse: "",
    timestamp: timestamp ?? migratedAt,
    idempotencyKey: `legacy:${record.id}`,
    metadata: { kind: "fact", factKind: kind, legacy: legacyEnvelope(record, timestamp) },
  };
}

/** The namespace of migrated exchanges' name-based ids (fixed: changing it would change every id). */
const exchangeIdNamespace = "4f3b2c9e-6d1a-4e0b-9a57-1c2d3e4f5a6b";

/** A name-based UUID (v5) of user and legacy id: the same record, the same row. */
export const exchangeIdFor = (userId: string, legacyId: string): string =>
  uuidv5(`${userId}\u0000${legacyId}`, exchangeIdNamespace);

/** Content fingerprint of what the archive must hold for a record. */
export function contentHash(e: Pick<NewExchange, "userMessage" | "botResponse">): string {
  return createHash("sha256").update(`${e.userMessage}\u0000${e.botResponse}`).digest("hex").slice(0, 16);
}
