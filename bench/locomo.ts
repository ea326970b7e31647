/**
 * Retrieval quality on LoCoMo: every turn of each conversation is stored for one user (session date as
 * timestamp, speaker as speaker, dia_id in metadata); every question of categories 1-4 is asked as currentQuery a day after
 * the last session; the returned items are flattened into the dia_ids they cover, in rank order, and
 * scored as evidence recall@k. Runs on the local emulation with the offline defaults.
 *
 * The data stays in database hm_bench_locomo between runs (stores are idempotent, so a re-run only
 * re-asks); --fresh drops it first.
 *
 *   npm run bench:locomo -- --data ../shared/data/locomo [--out bench/results/locomo.json] [--fresh]
 *     [--speaker-in-text]   (with --fresh: store "Speaker: text" and no speaker field, for comparison)
 *     [--weights source=w,...] [--ablate]
 */
import { type Command, parseCommandLine, runMain, UsageError } from "../infra/cli/run-cli.js";
import { silentLogger } from "../shared/util/logger.js";
import { percentile } from "../shared/util/stats.js";
import { settle } from "./load/cpu.js";
import { loadConversations } from "./locomo-data.js";
import { recordQuestion, Samples } from "./locomo-metrics.js";
import { benchExitStatus, machine, outOption, publish } from "./report.js";

const command = {
  name: "bench:locomo",
  usage: [
    "npm run bench:locomo -- [--data DIR] [--out FILE] [--fresh [--speaker-in-text]] [--weights SOURCE=W,...] [--ablate]",
  ],
  about: `
Retrieval quality on LoCoMo: every turn of each conversation is stored for one user (session date as
timestamp, speaker as speaker, dia_id in metadata); every question of categories 1-4 is asked a day after
the last session, and the items returned are scored as evidence recall@k, by category and by source.
Questions are asked once the stores have settled after the ingest (no process busier than 15% of a core
for 2 s, at most 300 s: Chroma indexes for a while after a bulk load). Runs on the local emulation (brought up if needed) with the offline defaults. The data stays in database
hm_bench_locomo between runs (stores are idempotent, so a re-run only re-asks). Prints the result as JSON.`,
  options: {
    data: {
      type: "string",
      value: "DIR",
      default: "../shared/data/locomo",
      description: "the LoCoMo data set (its JSON files)",
    },
    out: outOption,
    fresh: {
      type: "boolean",
      default: false,
      description: "drop the stored data (database and collections) first",
    },
    weights: {
      type: "string",
      value: "SOURCE=W,...",
      description:
        "fusion weights to use instead of the built-in ones (archive, semantic, summary, graph, recent; 0 turns one off)",
      defaultText: "the built-in weights",
    },
    ablate: {
      type: "boolean",
      default: false,
      description:
        "also ask every question again with each source turned off in turn, and report recall@10 of each",
    },
    // Ablation: the speaker only as a "Name: " prefix of the text, as a store without speakers would hold it.
    "speaker-in-text": {
      type: "boolean",
      default: false,
      description: 'with --fresh: store "Speaker: text" and no speaker field, for comparison',
    },
  },
  notes: benchExitStatus,
} satisfies Command;

const { values } = parseCommandLine(command);

/** `archive=1,semantic=0.5` as weights, refusing an unknown source or a weight that is not a number >= 0. */
function parseWeights(text: string, known: readonly string[]): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const pair of text.split(",").filter(Boolean)) {
    const [source = "", raw = ""] = pair.split("=");
    const weight = Number(raw);
    if (!known.includes(source) || raw === "" || !(weight >= 0))
      throw new UsageError(
        `--weights: "${pair}" is not SOURCE=W with SOURCE one of ${known.join(", ")} and W >= 0`,
      );
    weights[source] = weight;
  }
  return weights;
}

function storePercentiles(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
}

async function main() {
  const [
    { ensureLocalUp },
    { dropDatabase, ensureDatabase },
    { loadConfig },
    { createProcessing },
    { createMemory },
    { createChromaClient },
    { ChromaSummaryIndex },
    { sourceWeights },
  ] = await Promise.all([
    import("../infra/local/control.js"),
    import("../infra/local/services/postgres.js"),
    import("../shared/config/index.js"),
    import("../shared/processing/index.js"),
    import("../shared/runtime/create-memory.js"),
    import("../shared/tiers/chroma/client.js"),
    import("../shared/tiers/chroma/summary-index.js"),
    import("../shared/memory/assembler/scoring.js"),
  ]);
  const sources = Object.keys(sourceWeights) as (keyof typeof sourceWeights)[];
  Object.assign(sourceWeights, parseWeights(values.weights ?? "", sources));
  const weights = { ...sourceWeights };
  const local = await ensureLocalUp();
  const wsProxy = local.env.HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY ?? "";
  const database = "hm_bench_locomo";
  if (values.fresh) await dropDatabase(wsProxy, database);
  const config = loadConfig({
    ...local.env,
    ...process.env,
    HIERARCHICAL_MEMORY_POSTGRESQL_URL: await ensureDatabase(wsProxy, database),
    HIERARCHICAL_MEMORY_CHROMADB_COLLECTION: "bench_locomo",
  });
  if (values.fresh) {
    const { collection, shards } = config.chroma;
    await new ChromaSummaryIndex(createChromaClient(config.chroma), collection, shards).dropAll();
  }
  const processing = createProcessing(config.embedding);
  const runtime = createMemory(config, { processing, logger: silentLogger });
  const memory = runtime.manager;
  await memory.initializeTiers();
  try {
    const conversations = loadConversations(values.data ?? "");
    const started = performance.now();
    const diaIdOf = new Map<string, string>();
    const storeMs: number[] = [];
    // One user per conversation, ingested in parallel; each user's turns in order.
    await Promise.all(
      conversations.map(async (c) => {
        for (const turn of c.turns) {
          const storeStarted = performance.now();
          const { exchangeId } = await memory.storeConversation({
            userId: `locomo-${c.name}`,
            ...(values["speaker-in-text"]
              ? { userMessage: `${turn.speaker}: ${turn.text}` }
              : { userMessage: turn.text, speaker: turn.speaker }),
            botResponse: "",
            metadata: { dia_id: turn.diaId },
            timestamp: turn.at,
            idempotencyKey: turn.diaId,
          });
          storeMs.push(performance.now() - storeStarted);
          diaIdOf.set(exchangeId, turn.diaId);
        }
      }),
    );
    await memory.reconcile({ maxBatches: 1000 });
    const ingestMs = performance.now() - started;
    // Chroma indexes for a while after a bulk load: questions asked meanwhile would time that, not assembly.
    const settleSeconds = await settle(process.pid);

    const askAll = async () => {
      const samples = new Samples();
      for (const c of conversations) {
        const now = new Date(c.lastAt.getTime() + 86_400_000);
        for (const q of c.questions) {
          const context = await memory.getConversationContext({
            userId: `locomo-${c.name}`,
            currentQuery: q.question,
            now,
          });
          recordQuestion(samples, context, q, diaIdOf);
        }
      }
      return samples;
    };
    const samples = await askAll();
    // Each source off in turn (its weight 0), the others as they were.
    const ablation: Record<string, number | undefined> = { all: samples.means("recall:")["@10"] };
    if (values.ablate)
      for (const source of sources.filter((s) => weights[s] > 0)) {
        Object.assign(sourceWeights, weights, { [source]: 0 });
        ablation[`without ${source}`] = (await askAll()).means("recall:")["@10"];
      }
    Object.assign(sourceWeights, weights);
    const result = {
      benchmark: "locomo-retrieval",
      date: new Date().toISOString(),
      machine: machine(),
      conversations: conversations.length,
      turns: diaIdOf.size,
      questions: samples.count("ms:").total,
      recall: samples.means("recall:"),
      recallAt10ByCategory: samples.means("category:"),
      recallAt10OfEachSourceAlone: samples.means("alone:"),
      ...(values.ablate ? { recallAt10Ablation: ablation } : {}),
      assemblyMs: { p50: samples.percentiles("ms:", 0.5).total, p95: samples.percentiles("ms:", 0.95).total },
      tierP50Ms: samples.percentiles("tier:", 0.5),
      degraded: samples.count("degraded:"),
      settleSeconds,
      ingestSeconds: Math.round(ingestMs / 100) / 10,
      // Stores answer once the archive commits; the projections (the model's embedding among them) follow.
      storeMs: storePercentiles(storeMs),
      config: {
        deadlineMs: config.contextAssemblyTimeoutMs,
        embedder: processing.embedder.name,
        weights,
        summaryWindow: config.memory.summaryWindow,
        halfLifeDays: config.memory.halfLifeDays,
        decayFloor: config.memory.decayFloor,
        speakers: values["speaker-in-text"] ? "in the text" : "speaker field",
      },
    };
    publish("LoCoMo retrieval benchmark", result, values.out);
  } finally {
    await runtime.close();
  }
}

runMain(command, main);
