/**
 * Soak: a bounded mixed load (a store and a context request per turn) over 10,000 user ids (each
 * with two exchanges stored first) for ten minutes, on loopback, against the API as its own process. Reported per window: requests/s,
 * latency percentiles, errors and non-2xx answers, and the server's memory, so a leak shows as a
 * rising line and a slow drift in p99 shows over time. Not part of the test suite.
 *
 *   npm run bench:soak -- [--minutes 10] [--window 30] [--connections 16] [--users 10000] [--out bench/results/NAME.json]
 */
import { type Command, parseCommandLine, runMain } from "../infra/cli/run-cli.js";
import { machine, publish } from "./report.js";

const command = {
  name: "bench:soak",
  usage: ["npm run bench:soak -- [--minutes N] [--window N] [--connections N] [--users N] [--out FILE]"],
  about: `
Soak: a bounded mixed load (a store and a context request per turn) over --users user ids (each with two
exchanges stored first), against the API as its own process on loopback, on the local emulation (brought
up if needed; database hm_bench_soak, dropped first). Reported per window: requests/s, latency
percentiles, errors and non-2xx answers, and the server's memory, so a leak shows as a rising line and a
slow drift in p99 shows over time. Prints the result as JSON and writes it with a markdown report and a
chart (<out>-over-time.png). Not part of the test suite.`,
  options: {
    minutes: { type: "string", value: "N", default: "10", description: "how long the load runs" },
    window: { type: "string", value: "N", default: "30", description: "seconds per reported window" },
    connections: { type: "string", value: "N", default: "16", description: "concurrent connections" },
    users: { type: "string", value: "N", default: "10000", description: "user ids the load spreads over" },
    out: {
      type: "string",
      value: "FILE",
      default: `bench/results/${new Date().toISOString().slice(0, 10)}-soak.json`,
      description: "the result's JSON; markdown and chart beside it",
      defaultText: "bench/results/<today>-soak.json",
    },
  },
  notes: "Exit status: 0 measured and written; 1 it failed; 2 for a usage error.",
} satisfies Command;

const { values } = parseCommandLine(command);

async function main() {
  const [
    { growTo },
    { processSnapshot },
    { httpLoad },
    { startServer },
    { writeChartPng },
    { freshBenchMemory },
  ] = await Promise.all([
    import("./load/bulk-load.js"),
    import("./load/cpu.js"),
    import("./load/http-load.js"),
    import("./load/server.js"),
    import("./plot.js"),
    import("./setup.js"),
  ]);
  const tenant = "soak";
  const { env, memory, pool } = await freshBenchMemory({
    database: "hm_bench_soak",
    collection: "bench_soak",
    redisDb: 3,
    tenant,
  });
  const { key } = await memory.keys.create(tenant, "soak");
  // Every user has a little history first, so context requests find one (an unknown user is a 404).
  const users = Number(values.users);
  await growTo(memory.manager, {
    tenant,
    users,
    from: 0,
    to: users * 2,
    shards: memory.config.chroma.shards,
  });
  const server = await startServer(env);
  const apiPid = server.child.pid ?? 0;
  const windowSeconds = Number(values.window);
  const windows = Math.max(1, Math.round((Number(values.minutes) * 60) / windowSeconds));
  const series = [];
  try {
    for (let w = 0; w < windows; w++) {
      const r = await httpLoad({
        url: server.url,
        apiKey: key,
        kind: "mixed",
        connections: Number(values.connections),
        seconds: windowSeconds,
        users,
        apiPid,
      });
      const memoryMiB = processSnapshot(apiPid).memoryMiB.api ?? 0;
      series.push({ minute: ((w + 1) * windowSeconds) / 60, ...r, apiMemoryMiB: memoryMiB });
      console.error(
        `window ${w + 1}/${windows}: ${r.requestsPerSecond} req/s, p99 ${r.latencyMs.p99} ms, errors ${r.errors + r.timeouts}, statuses ${JSON.stringify(r.statusCodes)}, API ${memoryMiB} MiB`,
      );
    }
  } finally {
    await server.stop();
  }
  const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM exchanges");
  const memories = series.map((s) => s.apiMemoryMiB);
  const result = {
    benchmark: "soak",
    date: new Date().toISOString(),
    machine: machine(),
    minutes: Number(values.minutes),
    connections: Number(values.connections),
    users: Number(values.users),
    requests: series.reduce((n, s) => n + s.requests, 0),
    errors: series.reduce((n, s) => n + s.errors + s.timeouts, 0),
    non2xx: series.reduce((n, s) => n + s.non2xx, 0),
    storedAtEnd: Number(rows[0]?.n),
    apiMemoryMiB: { first: memories[0], last: memories.at(-1), max: Math.max(...memories) },
    p99Ms: { first: series[0]?.latencyMs.p99, last: series.at(-1)?.latencyMs.p99 },
    windows: series.map(({ cpuMsPerRequest: _, ...s }) => s),
  };
  publish("Soak", result, values.out);
  const base = (values.out ?? "").replace(/\.json$/, "");
  writeChartPng(
    {
      title: "Soak: p99 and server memory over time",
      xLabel: "minute",
      yLabel: "ms / MiB",
      series: [
        { name: "p99 ms", points: series.map((s) => [s.minute, s.latencyMs.p99]) },
        { name: "p50 ms", points: series.map((s) => [s.minute, s.latencyMs.p50]) },
        { name: "API MiB", points: series.map((s) => [s.minute, s.apiMemoryMiB]) },
      ],
    },
    `${base}-over-time.png`,
  );
  await memory.close();
}

runMain(command, main);
