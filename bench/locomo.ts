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
 */
import { parseArgs } from "node:util";
import { ensureLocalUp } from "../infra/local/control.js";
import { dropDatabase, ensureDatabase } from "../infra/local/services/postgres.js";
import { loadConfig } from "../shared/config/index.js";
import { HierarchicalMemoryManager } from "../shared/memory/manager.js";
import { loadConversations } from "./locomo-data.js";
import { recordQuestion, Samples } from "./locomo-metrics.js";
import { machine, publish, runMain } from "./report.js";

const { values } = parseArgs({
  options: {
    data: { type: "string", default: "../shared/data/locomo" },
    out: { type: "string" },
    fresh: { type: "boolean", default: false },
    // Ablation: the speaker only as a "Name: " prefix of the text, as a store without speakers would hold it.
    "speaker-in-text": { type: "boolean", default: false },
  },
});

async function main() {
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
  const memory = HierarchicalMemoryManager.fromConfig(config);
  // Before initializeTiers: the summary index keeps the collection it creates there.
  if (values.fresh) await memory.stores.summaries?.dropAll();
  await memory.initializeTiers();
  try {
    const conversations = loadConversations(values.data ?? "");
    const started = performance.now();
    const diaIdOf = new Map<string, string>();
    // One user per conversation, ingested in parallel; each user's turns in order.
    await Promise.all(
      conversations.map(async (c) => {
        for (const turn of c.turns) {
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
          diaIdOf.set(exchangeId, turn.diaId);
        }
      }),
    );
    await memory.reconcile({ maxBatches: 1000 });
    const ingestMs = performance.now() - started;

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
      assemblyMs: { p50: samples.percentiles("ms:", 0.5).total, p95: samples.percentiles("ms:", 0.95).total },
      tierP50Ms: samples.percentiles("tier:", 0.5),
      degraded: samples.count("degraded:"),
      ingestSeconds: Math.round(ingestMs / 100) / 10,
      config: {
        deadlineMs: config.contextAssemblyTimeoutMs,
        embedder: memory.processing.embedder.name,
        summaryWindow: config.memory.summaryWindow,
        halfLifeDays: config.memory.halfLifeDays,
        decayFloor: config.memory.decayFloor,
        speakers: values["speaker-in-text"] ? "in the text" : "speaker field",
      },
    };
    publish("LoCoMo retrieval benchmark", result, values.out);
  } finally {
    await memory.close();
  }
}

runMain(main);
