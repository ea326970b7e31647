/** Row shapes of the archive and their mapping to domain objects. */
import type { Exchange, ExchangeKind, ExchangeVersion, Summary } from "../../domain/types.js";

export interface ExchangeRow {
  id: string;
  user_id: string;
  kind: ExchangeKind;
  version: number;
  ordinal: string | number;
  user_message: string;
  bot_response: string;
  speaker: string | null;
  session_id: string | null;
  agent_id: string | null;
  metadata: Record<string, unknown>;
  created_at: Date | string;
}

export interface SummaryRow {
  user_id: string;
  window_index: string | number;
  text: string;
  exchange_ids: string[];
  start_at: Date | string;
  end_at: Date | string;
  session_id: string | null;
  agent_id: string | null;
  metadata: Record<string, unknown>;
}

export const exchangeColumns =
  "id, user_id, kind, version, ordinal, user_message, bot_response, speaker, session_id, agent_id, metadata, created_at";

export const summaryColumns =
  "user_id, window_index, text, exchange_ids, start_at, end_at, session_id, agent_id, metadata";

/** The optional fields of a row, present only when set (so objects compare equal to their input). */
const scopeOf = (r: { session_id: string | null; agent_id: string | null }) => ({
  ...(r.session_id === null ? {} : { sessionId: r.session_id }),
  ...(r.agent_id === null ? {} : { agentId: r.agent_id }),
});

/** `exchangeColumns` qualified by a table alias, for queries that join. */
export const exchangeColumnsOf = (alias: string) =>
  exchangeColumns
    .split(", ")
    .map((c) => `${alias}.${c}`)
    .join(", ");

export const toExchange = (r: ExchangeRow): Exchange => ({
  id: r.id,
  userId: r.user_id,
  kind: r.kind,
  version: Number(r.version),
  ordinal: Number(r.ordinal),
  userMessage: r.user_message,
  botResponse: r.bot_response,
  speaker: r.speaker ?? undefined,
  ...scopeOf(r),
  metadata: r.metadata,
  createdAt: new Date(r.created_at),
});

export const toSummary = (r: SummaryRow): Summary => ({
  userId: r.user_id,
  windowIndex: Number(r.window_index),
  text: r.text,
  exchangeIds: r.exchange_ids,
  startAt: new Date(r.start_at),
  endAt: new Date(r.end_at),
  ...scopeOf(r),
  ...(Object.keys(r.metadata).length === 0 ? {} : { metadata: r.metadata }),
});

export interface VersionRow {
  version: number;
  user_message: string;
  bot_response: string;
  speaker: string | null;
  session_id: string | null;
  agent_id: string | null;
  metadata: Record<string, unknown>;
  changed_by: string;
  changed_at: Date | string;
}

export const versionColumns =
  "version, user_message, bot_response, speaker, session_id, agent_id, metadata, changed_by, changed_at";

export const toVersion = (r: VersionRow): ExchangeVersion => ({
  version: Number(r.version),
  userMessage: r.user_message,
  botResponse: r.bot_response,
  ...(r.speaker === null ? {} : { speaker: r.speaker }),
  ...scopeOf(r),
  metadata: r.metadata,
  changedBy: r.changed_by,
  changedAt: new Date(r.changed_at),
});
