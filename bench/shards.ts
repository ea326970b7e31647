/**
 * What the summary index's shard count costs (issue 20): for each count, a Chroma server of its own on
 * an empty folder takes the same users (one window summary and one exchange vector each), and the run
 * measures bulk write speed, a single store's write, search latency when quiet and while a writer
 * runs, how long Chroma keeps working after the load, and its memory and disk.
 *
 *   npm run bench:shards -- [--users 20000] [--shards 8,16,32,64] [--chunk 1000] [--settle 180] [--out FILE]
 */
import { writeFileSync } from "node:fs";
import { type Command, parseCommandLine, runMain, UsageError } from "../infra/cli/run-cli.js";
import { benchExitStatus, machine, outOption, publish } from "./report.js";

const command = {
  name: "bench:shards",
  usage: [
    "npm run bench:shards -- [--users N] [--shards LIST] [--chunk N] [--queries N] [--settle S] [--out FILE]",
  ],
  about: `
For each shard count, starts a Chroma server on an empty folder (the emulation is not needed), writes
N users' window summaries and exchange vectors (hashing embedder, 512 dimensions) in chunks of users,
as the bulk load and the migration do, then measures: a single user's write (the store path), waits
until Chroma stops working on its own (capped by --settle), and times searches of random users, quiet
and while one writer keeps storing. Reports each count's write rate, percentiles, settle time, Chroma's
memory (PSS) and disk.`,
  options: {
    users: { type: "string", value: "N", default: "20000", description: "users written per count" },
    shards: { type: "string", value: "LIST", default: "8,16,32,64", description: "shard counts to compare" },
    chunk: { type: "string", value: "N", default: "1000", description: "users per bulk write" },
    queries: { type: "string", value: "N", default: "300", description: "searches per measurement" },
    settle: { type: "string", value: "S", default: "180", description: "longest wait for Chroma to idle" },
    out: outOption,
  },
  notes: benchExitStatus,
} satisfies Command;

const { values } = parseCommandLine(command);

async function main() {
  const [{ measureShardCount }, { shardsMarkdown }] = await Promise.all([
    import("./shards/measure.js"),
    import("./shards/report.js"),
  ]);
  const counts = String(values.shards)
    .split(",")
    .map((s) => Number(s.trim()));
  const numbers = [values.users, values.chunk, values.queries, values.settle].map(Number);
  if ([...counts, ...numbers].some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError(
      "--users, --chunk, --queries, --settle and each of --shards must be positive integers",
    );
  const [users, chunk, queries, settleSeconds] = numbers as [number, number, number, number];
  const runs = [];
  for (const shards of counts) {
    console.error(`bench:shards: ${shards} shards, ${users} users`);
    runs.push(await measureShardCount({ shards, users, chunk, queries, settleSeconds }));
  }
  const result = {
    benchmark: "summary index shard count (issue 20)",
    at: new Date().toISOString(),
    machine: machine(),
    data: { users, recordsPerUser: 2, dimensions: 512, chunkUsers: chunk, queries },
    runs,
  };
  publish("Summary index shard count", result, values.out);
  if (values.out) writeFileSync(values.out.replace(/\.json$/, ".md"), shardsMarkdown(result));
}

runMain(command, main);
