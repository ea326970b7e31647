/** The data the memory is made of, shared by the tiers, the manager and the assembler. */

export type ProjectionTier = "redis" | "chroma" | "neo4j";
export const projectionTiers: readonly ProjectionTier[] = ["redis", "chroma", "neo4j"];

export type Metadata = Record<string, unknown>;

/**
 * Where an exchange belongs below its user: `sessionId` a thread, channel or conversation; `agentId`
 * which bot or persona took part. Both optional; as a read filter, each given one must match.
 */
export interface Scope {
  sessionId?: string;
  agentId?: string;
}

/** A session of a user's: its id, when it began and last had an exchange, how many, and by which agents. */
export interface SessionInfo {
  sessionId: string;
  firstAt: Date;
  lastAt: Date;
  exchanges: number;
  agentIds: string[];
}

/**
 * What an archive row is: an `exchange` (a user's message and the bot's reply) or a `note` (a fact
 * the bot or an operator stated, no exchange: its text in userMessage, who stated it in speaker).
 */
export type ExchangeKind = "exchange" | "note";
export const exchangeKinds: readonly ExchangeKind[] = ["exchange", "note"];

/** Who states a note. */
export type NoteSource = "bot" | "operator";
export const noteSources: readonly NoteSource[] = ["bot", "operator"];

export interface ExchangeInput extends Scope {
  userId: string;
  /** Default: "exchange". */
  kind?: ExchangeKind;
  userMessage: string;
  botResponse: string;
  /**
   * Who wrote userMessage when the memory holds a conversation between people (a group chat, a
   * transcript); absent for a bot's own user. A query that names a speaker favours what they said.
   */
  speaker?: string;
  metadata?: Metadata;
  /** Same key, same user: the first store's id is returned and nothing is written twice. */
  idempotencyKey?: string;
  /** When the exchange happened; default: now. */
  timestamp?: Date;
}

export interface Exchange extends Scope {
  id: string;
  userId: string;
  kind: ExchangeKind;
  /** 1 as stored; each correction adds one (the earlier versions are kept, see ExchangeVersion). */
  version: number;
  ordinal: number;
  userMessage: string;
  botResponse: string;
  speaker?: string;
  metadata: Metadata;
  createdAt: Date;
}

/**
 * A summary of one window of a user's consecutive exchanges. Its `sessionId` and `agentId` are set
 * when every exchange of the window has that one: only such a summary answers a scoped read.
 * Likewise `metadata` holds the entries every exchange of the window has (absent when none), so a
 * filtered read can tell whether its filter holds for the whole window.
 */
export interface Summary extends Scope {
  userId: string;
  windowIndex: number;
  text: string;
  exchangeIds: string[];
  startAt: Date;
  endAt: Date;
  metadata?: Metadata;
}

export interface OutboxItem {
  id: number;
  exchangeId: string;
  userId: string;
  tier: ProjectionTier;
  attempts: number;
}

/**
 * Something asserted about a subject: `slot` (subject and relation, plus the value for a relation
 * that holds many values at once) is what a later claim supersedes. `value` is normalized (lowercase,
 * no leading article) so two claims compare; the fact's text says it as said. A negated claim
 * ("I don't live in Lisbon anymore") ends the slot's fact of the same value and states no new one.
 */
export interface Claim {
  /** "user" for the user (or, with a speaker, the speaker's entity key); else an entity key. */
  subject: string;
  relation: string;
  value: string;
  negated?: boolean;
  slot: string;
}

/** What the extractor finds in an exchange and the graph stores. */
export interface Extraction {
  entities: { key: string; name: string; kind: string }[];
  relations: { from: string; to: string; type: string }[];
  /** A fact with a claim takes part in its slot's validity chain; one without holds from its exchange on. */
  facts: { text: string; entityKeys: string[]; claim?: Claim }[];
}

/**
 * A correction of one exchange or note: each field given replaces the stored one; `null` clears an
 * optional one. What is not given stays.
 */
export interface ExchangePatch {
  userMessage?: string;
  botResponse?: string;
  speaker?: string | null;
  metadata?: Metadata;
  sessionId?: string | null;
  agentId?: string | null;
}

/** An earlier version of a corrected exchange: its fields then, and who replaced them, when. */
export interface ExchangeVersion extends Scope {
  version: number;
  userMessage: string;
  botResponse: string;
  speaker?: string;
  metadata: Metadata;
  /** Who made the correction that replaced this version (an API key id, "operator", ...). */
  changedBy: string;
  changedAt: Date;
}

/** How an exchange or note reads in context and summaries: a note as a note, never a fake exchange. */
export const exchangeText = (
  e: Pick<Exchange, "userMessage" | "botResponse" | "speaker"> & { kind?: ExchangeKind },
) =>
  e.kind === "note"
    ? `Note (${e.speaker ?? "bot"}): ${e.userMessage}`
    : `${e.speaker ?? "User"}: ${e.userMessage}\nAssistant: ${e.botResponse}`;

/** The scope every one of these exchanges shares (a field none or several have is left out). */
export function sharedScope(exchanges: readonly Scope[]): Scope {
  const one = (values: (string | undefined)[]) => {
    const first = values[0];
    return first !== undefined && values.every((v) => v === first) ? first : undefined;
  };
  const sessionId = one(exchanges.map((e) => e.sessionId));
  const agentId = one(exchanges.map((e) => e.agentId));
  return { ...(sessionId ? { sessionId } : {}), ...(agentId ? { agentId } : {}) };
}

/** Whether an item of scope `has` falls within the filter `want` (each field given must match). */
export const inScope = (has: Scope, want: Scope | undefined) =>
  !want ||
  ((!want.sessionId || has.sessionId === want.sessionId) && (!want.agentId || has.agentId === want.agentId));

/** The session and agent that are set, without the ones that are not (absent, never undefined). */
export const scopeOf = ({ sessionId, agentId }: Scope): Scope => ({
  ...(sessionId ? { sessionId } : {}),
  ...(agentId ? { agentId } : {}),
});

/** A filter that names nothing is no filter. */
export const isScoped = (s: Scope | undefined): s is Scope => Boolean(s?.sessionId || s?.agentId);
