/**
 * Throughput of an embedding provider in this process, with no store: the first call (the model loads),
 * then single queries (the context path embeds one) and batches of 32 (a projection or a rebuild).
 *
 *   npm run bench:embedding -- [--provider e5-small-v2|all-minilm-l6-v2|hashing] [--queries N] [--batches N]
 */
import { type Command, parseCommandLine, runMain, UsageError } from "../infra/cli/run-cli.js";

const command = {
  name: "bench:embedding",
  usage: ["npm run bench:embedding -- [--provider NAME] [--queries N] [--batches N]"],
  about: `
Measures an embedding provider in-process: the first call's time (the model loads then), single-text
calls (as a context query embeds its question) and calls of 32 texts (as a projection or a rebuild
embeds summaries), on sentences of conversational length. Prints one JSON line: loadMs, modelRssMiB (the
memory the loaded model adds to the process), and for single and batch32 the p50 and p95 per call and
the texts per second.`,
  options: {
    provider: {
      type: "string",
      value: "NAME",
      default: "e5-small-v2",
      description:
        "a local model, e5-small-v2 or all-minilm-l6-v2 (npm run model:fetch -- --model all first), or hashing",
    },
    queries: { type: "string", value: "N", default: "200", description: "single-text calls to time" },
    batches: { type: "string", value: "N", default: "20", description: "32-text calls to time" },
  },
  notes: "Exit status: 0 measured; 1 the model is missing; 2 for a usage error.",
} satisfies Command;

const { values } = parseCommandLine(command);

const count = (flag: string, value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} "${value}" is not a positive integer`);
  return n;
};

const subjects = ["my sister", "the dog", "our team", "Caroline", "the new job", "that trip to Lisbon"];
const sentence = (i: number) =>
  `Yesterday I talked about ${subjects[i % subjects.length]} for a while, and ${i % 3 === 0 ? "it went better than I expected" : "we agreed to meet again next week"} (${i}).`;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function time(calls: number, call: (i: number) => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call(i);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return {
    calls,
    p50Ms: round(quantile(ms, 0.5)),
    p95Ms: round(quantile(ms, 0.95)),
    total: ms.reduce((s, x) => s + x, 0),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

runMain(command, async () => {
  const queries = count("queries", values.queries);
  const batches = count("batches", values.batches);
  const { localModels } = await import("../shared/config/local-models.js");
  const model = Object.values(localModels).find((m) => m.name === values.provider);
  if (!model && values.provider !== "hashing")
    throw new UsageError(
      `--provider "${values.provider}" is not hashing or one of ${Object.keys(localModels).join(", ")}`,
    );
  const { HashingEmbedder } = await import("../shared/processing/embedder.js");
  const { LocalEmbedder } = await import("../shared/processing/local-embedder.js");
  const embedder = model ? new LocalEmbedder(model) : new HashingEmbedder();
  const rssBefore = process.memoryUsage().rss;
  const loadStarted = performance.now();
  await embedder.embed([sentence(0)]);
  const loadMs = round(performance.now() - loadStarted);
  // What the model adds to the process: what a Lambda function's memory would have to hold.
  const modelRssMiB = Math.round((process.memoryUsage().rss - rssBefore) / 2 ** 20);
  await embedder.embed(Array.from({ length: 32 }, (_, i) => sentence(i))); // warm-up
  const single = await time(queries, (i) => embedder.embed([sentence(i)]));
  const batch = await time(batches, (b) =>
    embedder.embed(Array.from({ length: 32 }, (_, i) => sentence(b * 32 + i))),
  );
  const { total: singleTotal, ...singleRow } = single;
  const { total: batchTotal, ...batchRow } = batch;
  console.log(
    JSON.stringify({
      provider: embedder.name,
      dimensions: embedder.dimensions,
      loadMs,
      modelRssMiB,
      single: { ...singleRow, textsPerSecond: Math.round((queries * 1000) / singleTotal) },
      batch32: { ...batchRow, textsPerSecond: Math.round((batches * 32 * 1000) / batchTotal) },
    }),
  );
  return 0;
});
