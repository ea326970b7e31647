/**
 * Tier 3: window summaries with embeddings in one Chroma collection. Every document carries its
 * user_id, and every query and delete is filtered by it, so one user's summaries never reach another.
 */
import type { ChromaClient, Collection } from "chromadb";
import type { Summary } from "../../domain/types.js";

export interface SummaryHit {
  summary: Summary;
  similarity: number;
}

export class ChromaSummaryIndex {
  private collection?: Promise<Collection>;
  constructor(
    private readonly chroma: ChromaClient,
    private readonly name: string,
  ) {}

  /** The collection, created on first use with cosine distance. */
  ensureCollection(): Promise<Collection> {
    this.collection ??= this.chroma
      .getOrCreateCollection({
        name: this.name,
        embeddingFunction: null,
        configuration: { hnsw: { space: "cosine" } },
      })
      .catch((error: unknown) => {
        this.collection = undefined;
        throw error;
      });
    return this.collection;
  }

  async upsert(items: readonly { summary: Summary; embedding: number[] }[]): Promise<void> {
    if (items.length === 0) return;
    const collection = await this.ensureCollection();
    await collection.upsert({
      ids: items.map(({ summary }) => docId(summary.userId, summary.windowIndex)),
      embeddings: items.map((i) => i.embedding),
      documents: items.map((i) => i.summary.text),
      metadatas: items.map(({ summary: s }) => ({
        user_id: s.userId,
        window_index: s.windowIndex,
        start_at: s.startAt.getTime(),
        end_at: s.endAt.getTime(),
        exchange_ids: s.exchangeIds.join(","),
      })),
    });
  }

  async query(userId: string, embedding: number[], limit: number): Promise<SummaryHit[]> {
    const collection = await this.ensureCollection();
    const result = await collection.query({
      queryEmbeddings: [embedding],
      nResults: limit,
      where: { user_id: userId },
      include: ["documents", "metadatas", "distances"],
    });
    const ids = result.ids[0] ?? [];
    return ids.map((_, i) => {
      const m = result.metadatas[0]?.[i] ?? {};
      return {
        similarity: 1 - (result.distances[0]?.[i] ?? 1),
        summary: {
          userId: String(m.user_id),
          windowIndex: Number(m.window_index),
          text: result.documents[0]?.[i] ?? "",
          exchangeIds: String(m.exchange_ids ?? "")
            .split(",")
            .filter(Boolean),
          startAt: new Date(Number(m.start_at)),
          endAt: new Date(Number(m.end_at)),
        },
      };
    });
  }

  /** The exchange ids each stored window of this user covers, by window index. */
  async windowsOf(userId: string, windowIndexes: readonly number[]): Promise<Map<number, string[]>> {
    if (windowIndexes.length === 0) return new Map();
    const collection = await this.ensureCollection();
    const result = await collection.get({
      ids: [...new Set(windowIndexes)].map((w) => docId(userId, w)),
      include: ["metadatas"],
    });
    return new Map(
      result.metadatas.map((m) => [
        Number(m?.window_index),
        String(m?.exchange_ids ?? "")
          .split(",")
          .filter(Boolean),
      ]),
    );
  }

  async countForUser(userId: string): Promise<number> {
    const collection = await this.ensureCollection();
    const result = await collection.get({ where: { user_id: userId }, include: [] });
    return result.ids.length;
  }

  async deleteUser(userId: string): Promise<void> {
    const collection = await this.ensureCollection();
    await collection.delete({ where: { user_id: userId } });
  }
}

/** Deterministic ids make a replayed projection overwrite, never duplicate. */
export const docId = (userId: string, windowIndex: number) => `${userId}\u001f${windowIndex}`;
