/**
 * The legacy design on the same data: one Chroma collection holding every full conversation with its
 * embedding, searched per query (nearest 10, filtered by user), as the original system did.
 */
import type { ChromaClient, Collection } from "chromadb";
import { exchangeText } from "../../shared/domain/types.js";
import type { Embedder } from "../../shared/processing/embedder.js";
import { seededRandom } from "../../shared/util/random.js";
import { percentile } from "../../shared/util/stats.js";
import { conversation, question, userIdOf } from "./dataset.js";

export class LegacyBaseline {
  private constructor(
    private readonly collection: Collection,
    private readonly embedder: Embedder,
  ) {}

  static async create(chroma: ChromaClient, embedder: Embedder, name = "bench_legacy_design") {
    await chroma.deleteCollection({ name }).catch(() => undefined);
    const collection = await chroma.getOrCreateCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: "cosine" } },
    });
    return new LegacyBaseline(collection, embedder);
  }

  /** Appends the same exchanges the hierarchical load holds, 1,000 per request. */
  async growTo(options: { tenant: string; users: number; from: number; to: number }): Promise<number> {
    const started = performance.now();
    const per = (total: number, user: number) =>
      Math.floor(total / options.users) + (user < total % options.users ? 1 : 0);
    let pending: { id: string; text: string; userId: string }[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const vectors = await this.embedder.embed(pending.map((p) => p.text));
      await this.collection.add({
        ids: pending.map((p) => p.id),
        documents: pending.map((p) => p.text),
        embeddings: vectors,
        metadatas: pending.map((p) => ({ user_id: p.userId })),
      });
      pending = [];
    };
    for (let u = 0; u < options.users; u++) {
      for (const e of conversation(options.tenant, u, per(options.to, u)).slice(per(options.from, u)))
        pending.push({ id: e.id, text: exchangeText(e), userId: e.userId });
      if (pending.length >= 1000) await flush();
    }
    await flush();
    return Math.round((performance.now() - started) / 100) / 10;
  }

  /** Sequential queries by random users: latency percentiles in ms. */
  async measure(options: { tenant: string; users: number; queries: number }) {
    const next = seededRandom(4242);
    const ms: number[] = [];
    for (let i = 0; i < options.queries; i++) {
      const started = performance.now();
      const [vector] = await this.embedder.embed([question(next)]);
      await this.collection.query({
        queryEmbeddings: [vector ?? []],
        nResults: 10,
        where: { user_id: userIdOf(options.tenant, Math.floor(next() * options.users)) },
      });
      ms.push(performance.now() - started);
    }
    ms.sort((a, b) => a - b);
    return {
      p50: round(percentile(ms, 0.5)),
      p95: round(percentile(ms, 0.95)),
      p99: round(percentile(ms, 0.99)),
    };
  }
}

const round = (x: number | undefined) => Math.round((x ?? 0) * 100) / 100;
