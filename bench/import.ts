/**
 * Bulk import throughput end to end: N NDJSON lines (the same records the migration benchmark's
 * legacy fixture holds, conversations and facts, about 20 per user, with a few bad lines) are written to a file,
 * then imported from that location into all four tiers (fresh database hm_bench_import, tenant
 * "bench") by the same ImportManager the API runs, and a sample validated. Reports lines/s, the time
 * batches and projections took, the validation score, and the refused lines.
 *
 *   npm run bench:import -- [--lines 100000] [--batch-size 500] [--concurrency 2] [--out bench/results/import-latest.json]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Command, parseCommandLine, runMain } from "../infra/cli/run-cli.js";
import { legacyRecords } from "../infra/local/legacy-fixture.js";
import { benchExitStatus, machine, outOption, publish } from "./report.js";

const command = {
  name: "bench:import",
  usage: [
    "npm run bench:import -- [--lines N] [--batch-size N] [--concurrency N] [--seed N] [--validate N] [--out FILE]",
  ],
  about: `
Bulk import throughput end to end: --lines NDJSON lines (the records of the migration benchmark's legacy
fixture, same seed: conversations as exchanges, facts as notes, about 20 a user; one line in 200
malformed) are written to a file, imported from that
location into all four tiers (fresh database hm_bench_import, tenant "bench") by the ImportManager the
API runs, and a sample validated. Runs on the local emulation (brought up if needed). Prints lines/s,
the time batches and projections took, the validation score and the peak memory as JSON.`,
  options: {
    lines: { type: "string", value: "N", default: "100000", description: "NDJSON lines to import" },
    "batch-size": { type: "string", value: "N", default: "500", description: "lines per batch" },
    concurrency: { type: "string", value: "N", default: "2", description: "batches in flight at once" },
    seed: { type: "string", value: "N", default: "1", description: "seed of the generated lines" },
    validate: { type: "string", value: "N", default: "500", description: "lines the validation samples" },
    out: outOption,
  },
  notes: benchExitStatus,
} satisfies Command;

const { values } = parseCommandLine(command);

const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

/**
 * NDJSON of the first `count` records of the migration benchmark's legacy fixture (same seed, same
 * mix): conversations as exchanges, facts as notes (global facts for the user "_global", as the
 * migration files them); one line in 200 broken. So the two benchmarks write the same memories.
 */
function ndjsonLines(count: number, seed: number): string {
  const out: string[] = [];
  for (const record of legacyRecords(count, seed)) {
    const meta = record.metadata ?? {};
    const userId = (typeof meta.user_id === "string" ? meta.user_id : "_global").replace(
      /[^A-Za-z0-9._:@-]/g,
      "_",
    );
    const at = new Date(Date.UTC(2025, 0, 1) + out.length * 61_000).toISOString();
    if ((out.length + 1) % 200 === 0) {
      out.push(`{"userId": "${userId}", "userMessage": `);
      continue;
    }
    const line =
      typeof meta.bot_response === "string"
        ? {
            userId,
            userMessage:
              typeof meta.user_message === "string"
                ? meta.user_message
                : (record.document ?? "").split("\n")[0]?.replace(/^User: /, ""),
            botResponse: meta.bot_response,
          }
        : { userId, kind: "note", text: record.document ?? "" };
    out.push(JSON.stringify({ ...line, timestamp: at, externalId: record.id }));
  }
  return `${out.join("\n")}\n`;
}

async function main() {
  const { freshBenchMemory } = await import("./setup.js");
  const lines = Number(values.lines);
  const dir = mkdtempSync(join(tmpdir(), "hm-bench-import-"));
  const file = join(dir, "history.ndjson");
  let started = performance.now();
  writeFileSync(file, ndjsonLines(lines, Number(values.seed)));
  const writeSeconds = seconds(started);
  const { memory, pool } = await freshBenchMemory({
    database: "hm_bench_import",
    collection: "bench_import",
    redisDb: 1,
    tenant: "bench",
    env: {
      HIERARCHICAL_MEMORY_IMPORT_RUNNER: "step-functions",
      HIERARCHICAL_MEMORY_IMPORT_LOCAL_DIRS: dir,
      HIERARCHICAL_MEMORY_IMPORT_BATCH_SIZE: String(values["batch-size"]),
      HIERARCHICAL_MEMORY_IMPORT_CONCURRENCY: String(values.concurrency),
      HIERARCHICAL_MEMORY_IMPORT_VALIDATE_SAMPLE: String(values.validate),
    },
  });
  const imports = memory.imports;
  if (!imports) throw new Error("the import benchmark needs Postgres");
  let peakRssMiB = 0;
  const sampler = setInterval(() => {
    peakRssMiB = Math.max(peakRssMiB, Math.round(process.memoryUsage().rss / 2 ** 20));
  }, 500);
  started = performance.now();
  const entry = await imports.create("bench", { format: "ndjson", location: file });
  const { batches } = await imports.plan(entry.id);
  await imports.importRange(entry.id, 0, batches);
  const batchSeconds = seconds(started);
  console.error(`${batches} batches committed in ${batchSeconds} s; building projections`);
  let finished: Awaited<ReturnType<typeof imports.finish>>;
  do finished = await imports.finish(entry.id);
  while (finished.projectionsRemaining);
  const importSeconds = seconds(started);
  clearInterval(sampler);
  const result = finished.result;
  const final = await imports.get("bench", entry.id);
  const summary = {
    benchmark: "bulk-import",
    date: new Date().toISOString(),
    machine: machine(),
    lines,
    embedder:
      memory.config.embedding.provider === "local"
        ? `local:${memory.config.embedding.localModel}`
        : memory.config.embedding.provider,
    batchSize: Number(values["batch-size"]),
    concurrency: Number(values.concurrency),
    state: final?.state,
    totals: result?.totals,
    linesPerSecond: Math.round(lines / importSeconds),
    seconds: {
      writeFile: writeSeconds,
      import: importSeconds,
      ofWhichBatches: batchSeconds,
      ofWhichProjectionsAndValidation: Math.round((importSeconds - batchSeconds) * 10) / 10,
    },
    validation: result?.validation,
    peakRssMiB,
    /** Median time of one bulk operation per tier during the run: where the time goes. */
    tierP50Ms: Object.fromEntries(
      (await memory.manager.getTierHealthStatus()).tiers.map((t) => [t.tier, t.p50Ms]),
    ),
  };
  publish("Bulk import benchmark", summary, values.out);
  rmSync(dir, { recursive: true, force: true });
  await memory.close();
  await pool.end();
}

runMain(command, main);
