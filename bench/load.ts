/**
 * Latency and throughput at growing stored sizes, through HTTP, side by side with the legacy design.
 * For each size: bulk-load up to it (10,000 users by default), then a context concurrency sweep
 * with autocannon against the API running as its own process, each tier's own latency from the
 * timings the API reports, in-process assembly vs the legacy single-collection search on the same
 * data, and last a store load. Then the cold start of the bundled API function.
 *
 *   npm run bench -- [--sizes 10000,100000] [--users 10000] [--seconds 10] [--repeat 3] [--connections 1,4,16,64,256]
 *                    [--store-connections 1,16] [--samples 200] [--no-legacy] [--out bench/results/NAME.json]
 *                    [--settle-seconds N] [--embedder hashing|local] [--cpu-profile DIR] [--no-cold-start] [--corner NAME (own database, collections, tenant)]
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Command, parseCommandLine, runMain } from "../infra/cli/run-cli.js";
import type { HierarchicalMemoryManager } from "../shared/memory/manager.js";
import { seededRandom } from "../shared/util/random.js";
import { percentile } from "../shared/util/stats.js";
import { question, userIdOf } from "./load/dataset.js";
import type { SizeResult } from "./load/report.js";
import { embedderOf, embedderOption, machine } from "./report.js";

const command = {
  name: "bench",
  usage: [
    "npm run bench -- [--sizes LIST] [--users N] [--seconds N] [--repeat N] [--connections LIST] [--store-connections LIST]",
    "                 [--samples N] [--no-legacy] [--no-cold-start] [--settle-seconds N] [--embedder hashing|local] [--corner NAME]",
    "                 [--cpu-profile DIR] [--out FILE]",
  ],
  about: `
Latency and throughput at growing stored sizes, through HTTP, side by side with the legacy design. For
each size: bulk-load up to it, then a context concurrency sweep with autocannon against the API running
as its own process, each tier's own latency from the timings the API reports, in-process assembly vs the
legacy single-collection search on the same data, and last a store load; the report is written after
each size. First, the cold start of the bundled API function (npx cdk synth, npm run smoke:bundle). Runs on the local emulation (brought up if
needed) in a corner of its own: database hm_bench_<corner>, collections bench_<corner>, tenant <corner>,
all dropped first. Prints the result as JSON and writes it with a markdown report and charts.`,
  options: {
    sizes: {
      type: "string",
      value: "LIST",
      default: "10000,100000",
      description: "stored exchanges to measure at",
    },
    users: {
      type: "string",
      value: "N",
      default: "10000",
      description: "users the exchanges are spread over",
    },
    seconds: { type: "string", value: "N", default: "10", description: "seconds of each HTTP load step" },
    repeat: {
      type: "string",
      value: "N",
      default: "3",
      description:
        "runs of each HTTP load step (the median run is reported, with every run's p50/p99 beside it)",
    },
    connections: {
      type: "string",
      value: "LIST",
      default: "1,4,16,64,256",
      description: "concurrent connections of the context sweep",
    },
    "store-connections": {
      type: "string",
      value: "LIST",
      default: "1,16",
      description: "concurrent connections of the store loads",
    },
    samples: {
      type: "string",
      value: "N",
      default: "200",
      description: "sequential context requests for each tier's latency, in-process and legacy",
    },
    "no-legacy": {
      type: "boolean",
      default: false,
      description: "skip the legacy single-collection baseline",
    },
    "settle-seconds": {
      type: "string",
      value: "N",
      default: "300",
      description:
        "longest wait for the stores to go quiet after a bulk load (Chroma compacts for minutes after 100k and more)",
    },
    embedder: embedderOption,
    "no-cold-start": {
      type: "boolean",
      default: false,
      description: "skip the bundled function's cold start",
    },
    corner: {
      type: "string",
      value: "NAME",
      default: "load",
      description:
        "the benchmark's own database, collections, Redis db and tenant (a smoke run uses another)",
    },
    "cpu-profile": {
      type: "string",
      value: "DIR",
      description: "write a V8 CPU profile of the API server there (summarize: npm run bench:profile)",
      defaultText: "none",
    },
    out: {
      type: "string",
      value: "FILE",
      description: "the result's JSON; markdown and charts beside it",
      defaultText: "bench/results/<today>-load.json",
    },
  },
  notes: "Exit status: 0 measured and written; 1 it failed; 2 for a usage error.",
} satisfies Command;

const { values } = parseCommandLine(command);

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
  const [
    { growTo },
    { processSnapshot, settle },
    { httpLoad, repeated },
    { LegacyBaseline },
    { writeLoadReport },
    { startServer },
    { freshBenchMemory },
    { warmUp },
  ] = await Promise.all([
    import("./load/bulk-load.js"),
    import("./load/cpu.js"),
    import("./load/http-load.js"),
    import("./load/legacy-baseline.js"),
    import("./load/report.js"),
    import("./load/server.js"),
    import("./setup.js"),
    import("./load/warm-up.js"),
  ]);
  const users = Number(values.users);
  const seconds = Number(values.seconds);
  const embedder = embedderOf(values.embedder);
  const { env, chroma, memory, processing, pool } = await freshBenchMemory({
    database: `hm_bench_${tenant}`,
    collection: `bench_${tenant}`,
    redisDb: tenant === "load" ? 2 : 4,
    tenant,
    env: { HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: embedder },
  });
  const { key } = await memory.keys.create(tenant, "bench");
  const shards = memory.config.chroma.shards;
  const server = await startServer(env, { cpuProfileDir: values["cpu-profile"] });
  const apiPid = server.child.pid ?? 0;
  const load = (kind: "store" | "context", connections: number) =>
    repeated(Number(values.repeat), () =>
      httpLoad({ url: server.url, apiKey: key, kind, connections, seconds, users, apiPid }),
    );
  const legacy = values["no-legacy"]
    ? undefined
    : await LegacyBaseline.create(chroma, processing.embedder, `bench_${tenant}_legacy`);

  const out = values.out ?? `bench/results/${new Date().toISOString().slice(0, 10)}-load.json`;
  // First, while the machine is quiet (and so that a long run stopped early still has it).
  const cold = values["no-cold-start"] ? { skipped: true } : coldStart();
  const sizes: SizeResult[] = [];
  const report = () => ({
    benchmark: "load",
    date: new Date().toISOString(),
    machine: machine(),
    embedder,
    users,
    seconds,
    repeat: Number(values.repeat),
    sizes,
    coldStart: cold,
    wallSeconds: Math.round((performance.now() - started) / 1000),
  });
  let loaded = 0;
  try {
    for (const size of numbers(values.sizes)) {
      console.error(`loading ${size} exchanges over ${users} users`);
      const bulk = await growTo(memory.manager, {
        tenant,
        users,
        from: loaded,
        to: size,
        shards,
      });
      const legacyLoadSeconds = await legacy?.growTo({ tenant, users, from: loaded, to: size });
      loaded = size;
      console.error(`size ${size}: bulk load ${bulk.seconds} s; waiting for the stores to settle`);
      if (Object.keys(bulk.pending).length > 0)
        console.error(
          `size ${size}: the bulk load left projections to the worker: ${JSON.stringify(bulk.pending)}`,
        );
      const owed = async () =>
        Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM outbox")).rows[0]?.n ?? 0);
      const settleSeconds = await settle(apiPid, 0.15, Number(values["settle-seconds"]), owed);
      const outboxRowsAtStart = await owed();
      const warm = await warmUp({ url: server.url, apiKey: key, tenant, users, shards });
      console.error(
        `size ${size}: settled in ${settleSeconds} s (${outboxRowsAtStart} outbox rows left); warm-up ${warm.requests} requests in ${warm.seconds} s`,
      );
      const context = [];
      for (const connections of numbers(values.connections)) {
        console.error(`size ${size}: context at ${connections} connections`);
        context.push(await load("context", connections));
      }
      const sampled = await sampleTiers(server.url, key, users, Number(values.samples));
      const inProcess = await assembleInProcess(memory.manager, users, Number(values.samples));
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
        bulkPending: bulk.pending,
        outboxRowsAtStart,
        warmUpSeconds: warm.seconds,
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
      // Written after each size: a long run stopped early keeps what it measured.
      writeLoadReport(report(), out);
    }
  } finally {
    await server.stop();
  }
  const result = report();
  console.log(JSON.stringify(result, null, 2));
  writeLoadReport(result, out);
  await memory.close();
  await pool.end();
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

runMain(command, main);
