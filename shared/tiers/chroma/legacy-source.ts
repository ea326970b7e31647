/**
 * The legacy ChromaDB (the LegacySource port), read a page at a time in Chroma's own (insertion)
 * order. Stored vectors are never read: embeddings are re-derived from text.
 */
import type { ChromaClient, Collection } from "chromadb";
import type { LegacyCollection, LegacyMetadata, LegacyRecord, LegacySource } from "../legacy-source.js";

export class LegacyChromaSource implements LegacySource {
  readonly #chroma: ChromaClient;

  constructor(chroma: ChromaClient) {
    this.#chroma = chroma;
  }

  /** Records in the collection; 0 when the legacy store has no such collection. */
  async count(name: LegacyCollection): Promise<number> {
    const collection = await this.#collection(name);
    return collection ? collection.count() : 0;
  }

  async page(name: LegacyCollection, offset: number, limit: number): Promise<LegacyRecord[]> {
    const collection = await this.#collection(name);
    if (!collection) return [];
    return toRecords(name, await collection.get({ offset, limit, include: ["documents", "metadatas"] }));
  }

  /** Records of one legacy user that carry `user_id` in their metadata (for per-user counts). */
  async byUserId(userId: string): Promise<LegacyRecord[]> {
    const collection = await this.#collection("user_memories");
    if (!collection) return [];
    return toRecords(
      "user_memories",
      await collection.get({ where: { user_id: userId }, include: ["documents", "metadatas"] }),
    );
  }

  /** Looked up on each call: one cheap round trip, and a recreated legacy collection is never stale. */
  async #collection(name: LegacyCollection): Promise<Collection | undefined> {
    try {
      return await this.#chroma.getCollection({ name });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function toRecords(
  collection: LegacyCollection,
  got: { ids: string[]; documents: (string | null)[]; metadatas: unknown[] },
): LegacyRecord[] {
  return got.ids.map((id, i) => ({
    collection,
    id,
    document: got.documents[i] ?? null,
    metadata: (got.metadatas[i] as LegacyMetadata | null) ?? null,
  }));
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === "ChromaNotFoundError" || /does not exist|not found/i.test(e?.message ?? "");
}
