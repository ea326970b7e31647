/**
 * The `local` provider: a small sentence model (e5-small-v2 by default, or all-MiniLM-L6-v2; quantized
 * ONNX, 384 dimensions) run in-process with onnxruntime-node, offline. A text's vector is the mean of the
 * model's last hidden states over its real tokens (the attention mask), L2-normalized, as
 * sentence-transformers computes it; e5 sees "query: " before a question and "passage: " before a
 * stored text, as it was trained.
 *
 * The files must be on disk before the process starts (`npm run model:fetch`): the constructor checks
 * they exist and throws one ConfigError naming that command otherwise. The runtime and the model load on
 * the first embed, once per process; onnxruntime-node is imported only then, so the
 * other providers (and the Lambda bundle, which leaves it out) never load it.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type LocalModel, localModels, modelFetchCommand } from "../config/local-models.js";
import { ConfigError } from "../errors/memory-error.js";
import type { Embedder, EmbeddingPurpose } from "./embedder.js";

/** The parts of onnxruntime-node we use, typed narrowly so its types stay out of our modules. */
interface Session {
  run(
    feeds: Record<string, unknown>,
  ): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>>;
}
interface Loaded {
  session: Session;
  tokenize: (text: string) => number[];
  tensor: (ids: BigInt64Array, dims: [number, number]) => unknown;
}

/** Each model file loads once per process, however many embedders (memories) use it. */
const sessions = new Map<string, Promise<Loaded>>();

/**
 * Texts per model run. One: the int8 model quantizes activations per run, so a text's vector would
 * depend on what else (and how much padding) shares its run (cosine 0.993 to its single-run vector),
 * and batching bought nothing measured here (2.66 ms per text in runs of 32, 2.56 ms one by one).
 */
const batchSize = 1;

export class LocalEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;
  private readonly modelFile: string;
  private readonly tokenizerFile: string;

  /** `dir` holds model.onnx and tokenizer.json. Default: the model's folder under .local/models (from the working directory). */
  constructor(
    private readonly model: LocalModel = localModels["e5-small-v2"],
    dir: string = model.dir,
  ) {
    this.name = `local:${model.name}`;
    this.dimensions = model.dimensions;
    this.modelFile = resolve(dir, model.files.model.name);
    this.tokenizerFile = resolve(dir, model.files.tokenizer.name);
    const missing = [this.modelFile, this.tokenizerFile].filter((file) => !existsSync(file));
    if (missing.length > 0)
      throw new ConfigError([
        `HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER is local (${model.name}) but ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing: run \`${fetchCommand(model, dir)}\` (it fetches the model once, offline afterwards)`,
      ]);
  }

  async embed(texts: readonly string[], purpose: EmbeddingPurpose = "passage"): Promise<number[][]> {
    if (texts.length === 0) return [];
    const loaded = await this.load();
    const prefix = this.model.prefixes[purpose];
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += batchSize)
      vectors.push(
        ...(await this.embedBatch(
          loaded,
          texts.slice(start, start + batchSize).map((t) => prefix + t),
        )),
      );
    return vectors;
  }

  /** Parsing the tokenizer blocks the event loop for a while: better at start-up than under a store. */
  async prepare(): Promise<void> {
    await this.load();
  }

  private load(): Promise<Loaded> {
    let loading = sessions.get(this.modelFile);
    if (!loading) {
      loading = load(this.modelFile, this.tokenizerFile, this.model.maxTokens);
      sessions.set(this.modelFile, loading);
      // A failed load (a corrupt file) is retried by the next call rather than cached.
      loading.catch(() => sessions.delete(this.modelFile));
    }
    return loading;
  }

  private async embedBatch(model: Loaded, texts: readonly string[]): Promise<number[][]> {
    const encoded = texts.map(model.tokenize);
    const width = Math.max(...encoded.map((ids) => ids.length));
    const ids = new BigInt64Array(texts.length * width);
    const mask = new BigInt64Array(texts.length * width);
    encoded.forEach((row, r) => {
      row.forEach((id, c) => {
        ids[r * width + c] = BigInt(id);
        mask[r * width + c] = 1n;
      });
    });
    const dims: [number, number] = [texts.length, width];
    const output = await model.session.run({
      input_ids: model.tensor(ids, dims),
      attention_mask: model.tensor(mask, dims),
      token_type_ids: model.tensor(new BigInt64Array(texts.length * width), dims),
    });
    const hidden = output.last_hidden_state;
    if (!hidden) throw new Error(`${this.name}: the model gave no last_hidden_state`);
    return encoded.map((row, r) => meanPoolNormalized(hidden.data, r, row.length, width, this.dimensions));
  }
}

/** Mean of row r's first `length` token vectors (the unpadded ones), scaled to unit length. */
function meanPoolNormalized(
  hidden: Float32Array,
  r: number,
  length: number,
  width: number,
  dimensions: number,
): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (let t = 0; t < length; t++) {
    const offset = (r * width + t) * dimensions;
    for (let d = 0; d < dimensions; d++) vector[d] = (vector[d] ?? 0) + (hidden[offset + d] ?? 0);
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

async function load(modelFile: string, tokenizerFile: string, maxTokens: number): Promise<Loaded> {
  const [ort, { Tokenizer }, tokenizerJson] = await Promise.all([
    import("onnxruntime-node"),
    import("@huggingface/tokenizers"),
    readFile(tokenizerFile, "utf8"),
  ]);
  const tokenizer = new Tokenizer(JSON.parse(tokenizerJson) as object, {});
  // One thread, no spinning: the default pool spins a thread per core between runs, taking CPU from
  // the event loop and the stores beside it (here 5.2 ms of CPU per text against 6.9 with the default).
  const session = (await ort.InferenceSession.create(modelFile, {
    graphOptimizationLevel: "all",
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
  })) as unknown as Session;
  const tokenize = (text: string): number[] => {
    const ids = tokenizer.encode(text).ids;
    // Keep [CLS] ... and the closing [SEP] when cutting a long text.
    return ids.length <= maxTokens ? ids : [...ids.slice(0, maxTokens - 1), ids[ids.length - 1] ?? 0];
  };
  return {
    session,
    tokenize,
    tensor: (data, dims) => new ort.Tensor("int64", data, dims),
  };
}

/** The fetch command for `dir`, with --dir when it is not the default. */
function fetchCommand(model: LocalModel, dir: string): string {
  return resolve(dir) === resolve(model.dir)
    ? `${modelFetchCommand} -- --model ${model.name}`
    : `${modelFetchCommand} -- --model ${model.name} --dir ${dir}`;
}
