/**
 * Latency and throughput at growing stored sizes, through HTTP, side by side with the legacy design.
 * For each size: bulk-load up to it (10,000 users by default), then a context concurrency sweep
 * with autocannon against the API running as its own process, each tier's own latency from the
 * timings the API reports, in-process assembly vs the legacy single-collection search on the same
 * data, and last a store load. Then the cold start of the bundled API function.
 *
 *   npm run bench -- [--sizes 10000,100000] [--users 10000] [--seconds 10] [--connections 1,4,16,64,256]
 *                    [--store-connections 1,16] [--samples 200] [--no-legacy] [--out bench/results/NAME.json]
 *                    [--cpu-profile DIR] [--no-cold-start] [--corner NAME (own database, collections, tenant)]
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { ApiKeyStore } from "../shared/auth/api-keys.js";
import { percentile } from "../shared/memory/health.js";
import type { HierarchicalMemoryManager } from "../shared/memory/manager.js";
import { seededRandom } from "../shared/util/random.js";
import { growTo } from "./load/bulk-load.js";
import { processSnapshot, settle } from "./load/cpu.js";
import { question, userIdOf } from "./load/dataset.js";
import { httpLoad } from "./load/http-load.js";
import { LegacyBaseline } from "./load/legacy-baseline.js";
import { writeLoadReport } from "./load/report.js";
import { startServer } from "./load/server.js";
import { machine, runMain } from "./report.js";
import { freshBenchMemory } from "./setup.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    users: { type: "string", default: "10000" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "1,4,16,64,256" },
    "store-connections": { type: "string", default: "1,16" },
    samples: { type: "string", default: "200" },
    "no-legacy": { type: "boolean", default: false },
    "no-cold-start": { type: "boolean", default: false },
    corner: { type: "string", default: "load" },
    /** Writes a V8 CPU profile of the API server there; summarize it with `npm run bench:profile`. */
    "cpu-profile": { type: "string" },
    out: { type: "string" },
  },
});

/** The benchmark's own database, collections, Redis db and tenant; a smoke run uses another. */
const tenant = values.corner ?? "load";
const started = performance.now();
const numbers = (list: string) => list.split(",").map(Number);
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (q: number) => Math.round((percentile(s, q) ?? 0) * 100) / 100;
  return { p50: r(0.5), p95: r(0.95), p99: r(0.99) };
};

async function main() {
  const users = Number(values.users);
  const seconds = Number(values.seconds);
  const { env, chroma, memory } = await freshBenchMemory({
    database: `hm_bench_${tenant}`,
    collection: `bench_${tenant}`,
    redisDb: tenant === "load" ? 2 : 4,
    tenant,
  });
  const pool = memory.clients.postgres;
  if (!pool) throw new Error("needs Postgres");
  const { key } = await new ApiKeyStore(pool).create(tenant, "bench");
  const server = await startServer(env, { cpuProfileDir: values["cpu-profile"] });
  const apiPid = server.child.pid ?? 0;
  const load = (kind: "store" | "context", connections: number) =>
    httpLoad({ url: server.url, apiKey: key, kind, connections, seconds, users, apiPid });
  const legacy = values["no-legacy"]
    ? undefined
    : await LegacyBaseline.create(chroma, memory.processing.embedder, `bench_${tenant}_legacy`);

  const sizes = [];
  let loaded = 0;
  try {
    for (const size of numbers(values.sizes)) {
      console.error(`loading ${size} exchanges over ${users} users`);
      const bulk = await growTo(memory, { tenant, users, from: loaded, to: size });
      const legacyLoadSeconds = await legacy?.growTo({ tenant, users, from: loaded, to: size });
      loaded = size;
      console.error(`size ${size}: waiting for the stores to settle`);
      const settleSeconds = await settle(apiPid);
      const context = [];
      for (const connections of numbers(values.connections)) {
        console.error(`size ${size}: context at ${connections} connections`);
        context.push(await load("context", connections));
      }
      const sampled = await sampleTiers(server.url, key, users, Number(values.samples));
      const inProcess = await assembleInProcess(memory, users, Number(values.samples));
      const legacyMs = await legacy?.measure({ tenant, users, queries: Number(values.samples) });
      // Stores last: the projections they leave to finish in the background would slow what follows.
      console.error(`size ${size}: stores`);
      const store = [];
      for (const connections of numbers(values["store-connections"]))
        store.push(await load("store", connections));
      const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM exchanges");
      sizes.push({
        size,
        storedAtEnd: Number(rows[0]?.n),
        loadSeconds: bulk.seconds,
        settleSeconds,
        legacyLoadSeconds,
        storeHttp: store,
        contextHttp: context,
        tierMs: sampled.tiers,
        contextServerTotalMs: sampled.total,
        assemblyInProcessMs: inProcess,
        legacyInProcessMs: legacyMs,
        legacyOverHierarchicalP50: legacyMs
          ? Math.round((legacyMs.p50 / inProcess.p50) * 100) / 100
          : undefined,
        memoryMiB: processSnapshot(apiPid).memoryMiB,
      });
    }
  } finally {
    await server.stop();
  }
  const out = values.out ?? `bench/results/${new Date().toISOString().slice(0, 10)}-load.json`;
  const result = {
    benchmark: "load",
    date: new Date().toISOString(),
    machine: machine(),
    users,
    seconds,
    sizes,
    coldStart: values["no-cold-start"] ? { skipped: true } : coldStart(),
    wallSeconds: Math.round((performance.now() - started) / 1000),
  };
  console.log(JSON.stringify(result, null, 2));
  writeLoadReport(result, out);
  await memory.close();
}

/** Sequential context requests: each tier's own latency as the API reports it, and the total. */
async function sampleTiers(url: string, apiKey: string, users: number, n: number) {
  const next = seededRandom(99);
  const tiers: Record<string, number[]> = {};
  const total: number[] = [];
  for (let i = 0; i < n; i++) {
    const response = await fetch(`${url}/v1/users/u${Math.floor(next() * users)}/context`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ query: question(next) }),
    });
    const body = (await response.json()) as {
      totalMs: number;
      timings: Record<string, { status: string; ms: number }>;
    };
    total.push(body.totalMs);
    for (const [tier, t] of Object.entries(body.timings))
      if (t.status === "ok") tiers[tier] = [...(tiers[tier] ?? []), t.ms];
  }
  return {
    total: stats(total),
    tiers: Object.fromEntries(Object.entries(tiers).map(([t, xs]) => [t, stats(xs)])),
  };
}

async function assembleInProcess(memory: HierarchicalMemoryManager, users: number, n: number) {
  const next = seededRandom(4242);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = question(next);
    const started = performance.now();
    await memory.getConversationContext({
      userId: userIdOf(tenant, Math.floor(next() * users)),
      currentQuery: q,
    });
    ms.push(performance.now() - started);
  }
  return stats(ms);
}

/** Bundle size and import-to-first-response of the API function as CDK bundles it. */
function coldStart() {
  try {
    if (!existsSync("cdk.out/HierarchicalMemory.template.json"))
      execFileSync("npx", ["cdk", "synth", "--quiet"], { stdio: "ignore" });
    const line =
      execFileSync("npm", ["run", "-s", "smoke:bundle"], { encoding: "utf8" }).trim().split("\n").pop() ??
      "{}";
    return JSON.parse(line) as Record<string, unknown>;
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

runMain(main);
