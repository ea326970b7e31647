/**
 * The main thread's handle on the model's worker thread (local-model-worker.ts): one worker per model
 * file in a process, requests matched to answers by id. The worker holds the process open only while
 * an answer is awaited; one that dies fails what it was asked and is started again by the next call.
 */
import { Worker } from "node:worker_threads";

export interface ModelFiles {
  modelFile: string;
  tokenizerFile: string;
  maxTokens: number;
}

interface Answer {
  id?: number;
  ready?: boolean;
  vectors?: Float64Array[];
  error?: string;
}

interface Pending {
  resolve(vectors: number[][]): void;
  reject(error: Error): void;
}

export class ModelThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #ready: Promise<void>;
  #nextId = 1;
  #dead?: Error;

  constructor(files: ModelFiles) {
    this.#worker = new Worker(new URL("./local-model-worker.ts", import.meta.url), { workerData: files });
    this.#worker.unref();
    this.#ready = new Promise<void>((resolve, reject) => {
      const onReady = (answer: Answer) => {
        if (answer.ready === undefined) return;
        this.#worker.off("message", onReady);
        if (answer.ready) resolve();
        else reject(new Error(`the model did not load: ${answer.error}`));
      };
      this.#worker.on("message", onReady);
      this.#worker.once("error", reject);
    });
    // Not awaited by anyone until the first embed: its failure is reported there.
    this.#ready.catch(() => undefined);
    this.#worker.on("message", (answer: Answer) => this.#answer(answer));
    this.#worker.on("error", (error) => this.#fail(error));
    this.#worker.on("exit", (code) => this.#fail(new Error(`the model's worker thread exited (${code})`)));
  }

  get alive(): boolean {
    return this.#dead === undefined;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    await this.#ready;
    if (this.#dead) throw this.#dead;
    const id = this.#nextId++;
    const answered = new Promise<number[][]>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    if (this.#pending.size === 1) this.#worker.ref();
    this.#worker.postMessage({ id, texts });
    return answered;
  }

  #answer({ id, vectors, error }: Answer) {
    if (id === undefined) return;
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (vectors) pending.resolve(vectors.map((v) => Array.from(v)));
    else pending.reject(new Error(error ?? "the model's worker answered nothing"));
  }

  #fail(error: Error) {
    this.#dead ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
