/** The data the memory is made of, shared by the tiers, the manager and the assembler. */

export type ProjectionTier = "redis" | "chroma" | "neo4j";
export const projectionTiers: readonly ProjectionTier[] = ["redis", "chroma", "neo4j"];

export type Metadata = Record<string, unknown>;

export interface ExchangeInput {
  userId: string;
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

export interface Exchange {
  id: string;
  userId: string;
  ordinal: number;
  userMessage: string;
  botResponse: string;
  speaker?: string;
  metadata: Metadata;
  createdAt: Date;
}

/** A summary of one window of a user's consecutive exchanges. */
export interface Summary {
  userId: string;
  windowIndex: number;
  text: string;
  exchangeIds: string[];
  startAt: Date;
  endAt: Date;
}

export interface OutboxItem {
  id: number;
  exchangeId: string;
  userId: string;
  tier: ProjectionTier;
  attempts: number;
}

/** What the extractor finds in an exchange and the graph stores. */
export interface Extraction {
  entities: { key: string; name: string; kind: string }[];
  relations: { from: string; to: string; type: string }[];
  facts: { text: string; entityKeys: string[] }[];
}

export const exchangeText = (e: Pick<Exchange, "userMessage" | "botResponse" | "speaker">) =>
  `${e.speaker ?? "User"}: ${e.userMessage}\nAssistant: ${e.botResponse}`;
