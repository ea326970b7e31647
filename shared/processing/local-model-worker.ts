/**
 * The worker thread that runs the `local` model: onnxruntime-node's run, and the tokenizer, keep the
 * thread they run on busy for the whole inference (about 5 ms of a text with e5-small-v2), so on the
 * main thread every other request's I/O waited behind each embed. Here the main thread stays free.
 *
 * Loaded by Node itself (worker threads do not go through the app's loader): it imports only
 * packages and Node's own modules, and uses only TypeScript that Node can strip.
 *
 * Protocol: workerData `{ modelFile, tokenizerFile, maxTokens }`; it posts `{ ready: true }` (or
 * `{ ready: false, error }`) once loaded, then answers each `{ id, texts }` with `{ id, vectors }`
 * (Float64Arrays, unit length) or `{ id, error }`.
 */
import { readFile } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";

interface Settings {
  modelFile: string;
  tokenizerFile: string;
  maxTokens: number;
}

interface Output {
  data: Float32Array;
  dims: readonly number[];
}

interface Session {
  run(feeds: Record<string, unknown>): Promise<Record<string, Output>>;
}

const settings = workerData as Settings;
const port = parentPort;
if (!port) throw new Error("local-model-worker runs in a worker thread only");

async function load() {
  const [ort, { Tokenizer }, tokenizerJson] = await Promise.all([
    import("onnxruntime-node"),
    import("@huggingface/tokenizers"),
    readFile(settings.tokenizerFile, "utf8"),
  ]);
  const tokenizer = new Tokenizer(JSON.parse(tokenizerJson) as object, {});
  // One thread, no spinning: the default pool spins a thread per core between runs, taking CPU from
  // the event loop and the stores beside it (here 5.2 ms of CPU per text against 6.9 with the default).
  const session = (await ort.InferenceSession.create(settings.modelFile, {
    graphOptimizationLevel: "all",
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
  })) as unknown as Session;
  const tensor = (data: BigInt64Array, width: number) => new ort.Tensor("int64", data, [1, width]);

  /** One text per run: the int8 model quantizes activations per run, so batching would change vectors. */
  return async (text: string): Promise<Float64Array> => {
    const all: number[] = tokenizer.encode(text).ids;
    // Keep [CLS] ... and the closing [SEP] when cutting a long text.
    const ids =
      all.length <= settings.maxTokens
        ? all
        : [...all.slice(0, settings.maxTokens - 1), all[all.length - 1] ?? 0];
    const width = ids.length;
    const output = await session.run({
      input_ids: tensor(
        BigInt64Array.from(ids, (id) => BigInt(id)),
        width,
      ),
      attention_mask: tensor(new BigInt64Array(width).fill(1n), width),
      token_type_ids: tensor(new BigInt64Array(width), width),
    });
    const hidden = output.last_hidden_state;
    if (!hidden) throw new Error("the model gave no last_hidden_state");
    return meanPoolNormalized(hidden.data, width, hidden.dims[2] ?? 0);
  };
}

/** Mean of the token vectors (all real: one text per run, no padding), scaled to unit length. */
function meanPoolNormalized(hidden: Float32Array, tokens: number, dimensions: number): Float64Array {
  const vector = new Float64Array(dimensions);
  for (let t = 0; t < tokens; t++)
    for (let d = 0; d < dimensions; d++) vector[d] = (vector[d] ?? 0) + (hidden[t * dimensions + d] ?? 0);
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

const loaded = load();
loaded.then(
  () => port.postMessage({ ready: true }),
  (error: unknown) => port.postMessage({ ready: false, error: String(error) }),
);

port.on("message", async ({ id, texts }: { id: number; texts: string[] }) => {
  try {
    const embed = await loaded;
    const vectors: Float64Array[] = [];
    for (const text of texts) vectors.push(await embed(text));
    port.postMessage(
      { id, vectors },
      vectors.map((v) => v.buffer as ArrayBuffer),
    );
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
