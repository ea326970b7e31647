/**
 * The `local` provider: a small sentence model (e5-small-v2 by default, or all-MiniLM-L6-v2; quantized
 * ONNX, 384 dimensions) run in-process with onnxruntime-node, offline. A text's vector is the mean of the
 * model's last hidden states over its real tokens (the attention mask), L2-normalized, as
 * sentence-transformers computes it; e5 sees "query: " before a question and "passage: " before a
 * stored text, as it was trained.
 *
 * The files must be on disk before the process starts (`npm run model:fetch`): the constructor checks
 * they exist and throws one ConfigError naming that command otherwise. The model runs in a worker thread
 * (local-model-worker.ts: an inference holds its thread for its whole run), started on the first embed
 * or `prepare`, once per process; only that thread imports onnxruntime-node, so the other providers
 * (and the Lambda bundle, which leaves it out) never load it.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type LocalModel, localModels, modelFetchCommand } from "../config/local-models.js";
import { ConfigError } from "../errors/memory-error.js";
import type { Embedder, EmbeddingPurpose } from "./embedder.js";
import { ModelThread } from "./local-model-thread.js";

/** Each model file runs in one worker thread per process, however many embedders (memories) use it. */
const threads = new Map<string, ModelThread>();

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
    const prefix = this.model.prefixes[purpose];
    return this.thread().embed(texts.map((t) => prefix + t));
  }

  /** Loads the model (in its thread) at start-up rather than under the first request. */
  async prepare(): Promise<void> {
    await this.thread().ready();
  }

  /** The model's thread; a thread that died (or failed to load) is replaced by the next call. */
  private thread(): ModelThread {
    let thread = threads.get(this.modelFile);
    if (!thread?.alive) {
      thread = new ModelThread({
        modelFile: this.modelFile,
        tokenizerFile: this.tokenizerFile,
        maxTokens: this.model.maxTokens,
      });
      threads.set(this.modelFile, thread);
      thread.ready().catch(() => {
        if (threads.get(this.modelFile) === thread) threads.delete(this.modelFile);
      });
    }
    return thread;
  }
}

/** The fetch command for `dir`, with --dir when it is not the default. */
function fetchCommand(model: LocalModel, dir: string): string {
  return resolve(dir) === resolve(model.dir)
    ? `${modelFetchCommand} -- --model ${model.name}`
    : `${modelFetchCommand} -- --model ${model.name} --dir ${dir}`;
}
