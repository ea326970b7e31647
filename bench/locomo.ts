/**
 * Retrieval quality on LoCoMo: every turn of each conversation is stored for one user (session date as
 * timestamp, dia_id in metadata); every question of categories 1-4 is asked as currentQuery a day after
 * the last session; the returned items are flattened into the dia_ids they cover, in rank order, and
 * scored as evidence recall@k. Runs on the local emulation with the offline defaults.
 *
 * The data stays in database hm_bench_locomo between runs (stores are idempotent, so a re-run only
 * re-asks); --fresh drops it first.
 *
 *   npm run bench:locomo -- --data ../shared/data/locomo [--out bench/results/locomo.json] [--fresh]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { ensureLocalUp } from "../infra/local/control.js";
import { dropDatabase, ensureDatabase } from "../infra/local/services/postgres.js";
import { loadConfig } from "../shared/config/index.js";
import { percentile } from "../shared/memory/health.js";
import { HierarchicalMemoryManager } from "../shared/memory/manager.js";
import { loadConversations } from "./locomo-data.js";

const { values } = parseArgs({
  options: {
    data: { type: "string", default: "../shared/data/locomo" },
    out: { type: "string" },
    fresh: { type: "boolean", default: false },
  },
});
const ks = [5, 10, 20];

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
  await memory.initializeTiers();
  if (values.fresh)
    await memory.clients.chroma?.deleteCollection({ name: config.chroma.collection }).catch(() => undefined);
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
            userMessage: `${turn.speaker}: ${turn.text}`,
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

    const recall: Record<number, number[]> = Object.fromEntries(ks.map((k) => [k, []]));
    const byCategory: Record<number, number[]> = {};
    const latencies: number[] = [];
    const degradedCount: Record<string, number> = {};
    const evidenceBySource: Record<string, number> = {};
    for (const c of conversations) {
      const now = new Date(c.lastAt.getTime() + 86_400_000);
      for (const q of c.questions) {
        const context = await memory.getConversationContext({
          userId: `locomo-${c.name}`,
          currentQuery: q.question,
          now,
        });
        latencies.push(context.totalMs);
        for (const t of context.degraded) degradedCount[t] = (degradedCount[t] ?? 0) + 1;
        const ranked = [
          ...new Set(context.items.flatMap((i) => i.exchangeIds.map((id) => diaIdOf.get(id) ?? ""))),
        ];
        const top10 = new Set(ranked.slice(0, 10));
        for (const item of context.items)
          for (const id of item.exchangeIds)
            if (top10.has(diaIdOf.get(id) ?? "") && q.evidence.includes(diaIdOf.get(id) ?? ""))
              evidenceBySource[item.source] = (evidenceBySource[item.source] ?? 0) + 1;
        for (const k of ks) {
          const top = new Set(ranked.slice(0, k));
          const r = q.evidence.filter((e) => top.has(e)).length / q.evidence.length;
          recall[k]?.push(r);
          if (k === 10) byCategory[q.category] = [...(byCategory[q.category] ?? []), r];
        }
      }
    }
    const mean = (xs: number[]) =>
      Math.round((xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)) * 1000) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      benchmark: "locomo-retrieval",
      date: new Date().toISOString(),
      conversations: conversations.length,
      turns: diaIdOf.size,
      questions: latencies.length,
      recall: Object.fromEntries(ks.map((k) => [`@${k}`, mean(recall[k] ?? [])])),
      recallAt10ByCategory: Object.fromEntries(Object.entries(byCategory).map(([c, xs]) => [c, mean(xs)])),
      assemblyMs: {
        p50: percentile(sorted, 0.5),
        p95: percentile(sorted, 0.95),
        max: sorted[sorted.length - 1],
      },
      degraded: degradedCount,
      evidenceInTop10BySource: evidenceBySource,
      ingestSeconds: Math.round(ingestMs / 100) / 10,
      config: {
        deadlineMs: config.contextAssemblyTimeoutMs,
        embedder: memory.processing.embedder.name,
        summaryWindow: config.memory.summaryWindow,
        halfLifeDays: config.memory.halfLifeDays,
        decayFloor: config.memory.decayFloor,
      },
    };
    console.log(JSON.stringify(result, null, 2));
    if (values.out) {
      mkdirSync(dirname(values.out), { recursive: true });
      writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
    }
  } finally {
    await memory.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
