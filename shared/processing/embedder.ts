/**
 * Embedders turn text into vectors for Tier 3. The default needs no model and no network: it hashes
 * stemmed terms and term pairs into a fixed number of signed buckets (the "hashing trick"), so equal
 * words land on equal coordinates. Real providers plug in by config.
 */
import { createHash } from "node:crypto";
import { terms } from "../util/text.js";

/** A question to search with, or a text to store: some models embed the two differently. */
export type EmbeddingPurpose = "query" | "passage";

export interface Embedder {
  readonly name: string;
  readonly dimensions: number;
  /** One vector per text, unit length; `purpose` defaults to "passage". */
  embed(texts: readonly string[], purpose?: EmbeddingPurpose): Promise<number[][]>;
  /** Loads what the first embed would (a model), at start-up rather than in the first request. */
  prepare?(): Promise<void>;
}

/** Deterministic, model-free embeddings. Default dimensions: 512. */
export class HashingEmbedder implements Embedder {
  readonly name = "hashing";
  constructor(readonly dimensions = 512) {}

  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => this.embedOne(text));
  }

  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    const counts = new Map<string, number>();
    const t = terms(text);
    for (const term of t) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (let i = 0; i + 1 < t.length; i++) counts.set(`${t[i]}_${t[i + 1]}`, 0.5);
    for (const [feature, count] of counts) {
      const h = hash(feature);
      const weight = 1 + Math.log(Math.max(1, count));
      vector[h % this.dimensions] = (vector[h % this.dimensions] ?? 0) + (h & 0x80000000 ? -weight : weight);
    }
    const norm = Math.hypot(...vector) || 1;
    return vector.map((v) => v / norm);
  }
}

function hash(feature: string): number {
  return createHash("md5").update(feature).digest().readUInt32BE(0);
}

/** Any OpenAI-compatible `/embeddings` endpoint (OpenAI, Azure, vLLM, Ollama, LiteLLM...). */
export class HttpEmbedder implements Embedder {
  readonly name = "openai-compatible";
  constructor(
    private readonly options: {
      url: string;
      apiKey?: string;
      model: string;
      dimensions: number;
      timeoutMs?: number;
    },
  ) {}

  get dimensions() {
    return this.options.dimensions;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const response = await fetch(`${this.options.url.replace(/\/$/, "")}/embeddings`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
      },
      body: JSON.stringify({ model: this.options.model, input: texts }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (!response.ok)
      throw new Error(`embeddings endpoint answered ${response.status}`, {
        cause: await response.text().catch(() => undefined),
      });
    const body = (await response.json()) as { data: { index: number; embedding: number[] }[] };
    return body.data.sort((a, b) => a.index - b.index).map((d) => d.embedding);
  }
}
