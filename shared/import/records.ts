/**
 * The bulk import's vocabulary: the formats a file may be in, a unit of a file (a line of NDJSON, or
 * an item of a JSON export) and the memory records a unit yields. Formats turn units into records
 * (./formats.ts); the plan turns a record into an archive row (./plan.ts).
 */

export const importFormats = ["ndjson", "openai", "mem0"] as const;
export type ImportFormat = (typeof importFormats)[number];

/** One unit of an import file, numbered from 1 as an editor shows lines (an item's index + 1 in a JSON export). */
export interface ImportUnit {
  line: number;
  /** The unit's text: one line of NDJSON, or one item of a JSON document re-serialized. */
  text: string;
}

/** One memory to import, as a unit gave it, before the plan checks it against the API's rules. */
export interface ImportRecord {
  /** The API user id (1-128 of letters, digits and . _ : @ -). */
  userId: string;
  kind: "exchange" | "note";
  userMessage: string;
  botResponse: string;
  /** When it happened; default: when it was imported. */
  timestamp?: Date;
  speaker?: string;
  sessionId?: string;
  agentId?: string;
  metadata?: Record<string, unknown>;
  /** The source system's id: a re-import of the same id writes nothing twice. */
  externalId?: string;
}

/** What a unit gives: its records (possibly none, e.g. a transcript of only system messages) or why it cannot. */
export type ParsedUnit = { line: number; records: ImportRecord[] } | { line: number; error: string };
