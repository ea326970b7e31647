/**
 * Migrates the legacy ChromaDB into the four tiers:
 *
 *   npm run migrate -- [--dry-run] [--users a,b] [--batch-size N] [--concurrency N] [--validate N]
 *   npm run migrate -- --resume RUN_ID [--concurrency N] [--validate N]
 *   npm run migrate -- --run RUN_ID --validate N      (validate an earlier run)
 *   npm run migrate -- --rollback RUN_ID
 *   npm run migrate -- --list
 *
 * A progress bar on a terminal, JSON lines otherwise; the final report (JSON) on stdout. Exit code
 * 0 when the run completed (and validated, if asked), 1 when it failed or was rolled back.
 */
import progress from "cli-progress";
import type { MigrationProgress } from "../../shared/migration/migration-manager.js";
import { type Command, parseCommandLine, runMain, UsageError } from "./run-cli.js";

const command = {
  name: "migrate",
  usage: [
    "npm run migrate -- [--dry-run] [--users LIST] [--batch-size N] [--concurrency N] [--validate N]",
    "npm run migrate -- --resume RUN_ID [--concurrency N] [--validate N]",
    "npm run migrate -- --run RUN_ID --validate N",
    "npm run migrate -- --rollback RUN_ID",
    "npm run migrate -- --list",
  ],
  about: `
Migrates the legacy ChromaDB (user_memories, global_facts) into the four tiers: reads it in batches,
commits each batch with its checkpoint in Postgres, then builds the Redis, Chroma and Neo4j projections.
A re-run or a resume writes nothing twice. On a terminal it shows a progress bar on stderr; otherwise it
prints JSON lines ({"event":"progress",...}, then {"event":"report",...}) on stdout. The final report
(JSON) goes to stdout.`,
  options: {
    "dry-run": {
      type: "boolean",
      default: false,
      description: "read and classify every record, write nothing",
    },
    users: {
      type: "string",
      value: "LIST",
      description: "migrate only these legacy user ids, comma-separated",
      defaultText: "every user",
    },
    "batch-size": {
      type: "string",
      value: "N",
      description: "legacy records per batch (and per checkpoint)",
      defaultText: "HIERARCHICAL_MEMORY_MIGRATION_BATCH_SIZE, 500",
    },
    concurrency: {
      type: "string",
      value: "N",
      description: "batches in flight at once",
      defaultText: "HIERARCHICAL_MEMORY_MIGRATION_CONCURRENCY, 4",
    },
    resume: {
      type: "string",
      value: "RUN_ID",
      description: "continue this run: redo exactly the batches without a checkpoint (keeps its batch size)",
    },
    run: { type: "string", value: "RUN_ID", description: "validate this earlier run (needs --validate N)" },
    validate: {
      type: "string",
      value: "N",
      description:
        "afterwards, check N sampled legacy records in every tier; under HIERARCHICAL_MEMORY_MIGRATION_MIN_INTEGRITY (0.95) the run is rolled back",
      defaultText: "no validation",
    },
    rollback: {
      type: "string",
      value: "RUN_ID",
      description: "remove exactly the rows this run wrote, from every tier",
    },
    list: { type: "boolean", default: false, description: "print every migration run and its state" },
  },
  notes: `
Environment: the service settings of template.env (none set: the local emulation, started if needed);
the legacy store is HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL (default: the Tier 3 Chroma), migrated users
become <HIERARCHICAL_MEMORY_MIGRATION_TENANT>/<legacy user id>.

Exit status: 0 when the run completed (and validated, if asked); 1 when it failed, was rolled back, or
could not start; 2 for a usage error.`,
} satisfies Command;

const { values } = parseCommandLine(command);

const positive = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number ≥ 1, got "${value}"`);
  return n;
};

/** A progress bar (cli-progress) on stderr on a terminal, JSON lines on stdout otherwise. */
function progressPrinter(): { onProgress: (p: MigrationProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY)
    return {
      onProgress: (p) => console.log(JSON.stringify({ event: "progress", ...p })),
      stop: () => undefined,
    };
  const bar = new progress.SingleBar(
    {
      stream: process.stderr,
      format: "{bar} {percentage}%  {value}/{total} records  {speed}/s  ETA {remaining}",
      barsize: 30,
    },
    progress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (p) => {
      const payload = {
        speed: p.recordsPerSecond,
        remaining: p.etaSeconds === null ? "?" : `${p.etaSeconds}s`,
      };
      if (!started) bar.start(p.recordsTotal, p.recordsDone, payload);
      else {
        bar.setTotal(p.recordsTotal);
        bar.update(p.recordsDone, payload);
      }
      started = true;
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

runMain(command, async () => {
  const sampleSize = positive("validate", values.validate);
  const batchSize = positive("batch-size", values["batch-size"]);
  const concurrency = positive("concurrency", values.concurrency);
  if (values.run && !sampleSize) throw new UsageError("--run needs --validate N (the sample size)");

  const [{ loadConfig }, { ConfigError }, { createMemory }, { silentLogger }, { resolveEnv }] =
    await Promise.all([
      import("../../shared/config/index.js"),
      import("../../shared/errors/memory-error.js"),
      import("../../shared/runtime/create-memory.js"),
      import("../../shared/util/logger.js"),
      import("../local/resolve-env.js"),
    ]);
  const config = loadConfig((await resolveEnv()).env);
  const memory = createMemory(config, { logger: silentLogger });
  try {
    await memory.manager.initializeTiers();
    const migration = memory.migration;
    if (!migration) throw new ConfigError(["the migration needs Postgres and a legacy Chroma URL"]);
    const printer = progressPrinter();
    const done = (report: unknown, ok: boolean) => {
      // One line when not on a terminal, so the output stays JSON lines.
      printer.stop();
      console.log(
        process.stderr.isTTY
          ? JSON.stringify(report, null, 2)
          : JSON.stringify({ event: "report", ...(report as object) }),
      );
      return ok ? 0 : 1;
    };

    if (values.list) return done(await migration.listRuns(), true);
    if (values.rollback) return done(await migration.rollbackMigration(values.rollback), true);
    if (values.run && sampleSize) {
      const integrity = await migration.validateMigrationIntegrity(values.run, { sampleSize });
      return done(integrity, integrity.passed);
    }
    const options = { onProgress: printer.onProgress, dryRun: values["dry-run"], batchSize, concurrency };
    const users = values.users
      ?.split(",")
      .map((u) => u.trim())
      .filter(Boolean);
    const report = values.resume
      ? await migration.resume(values.resume, options)
      : users
        ? await migration.migrateSpecificUsers(users, options)
        : await migration.migrateAllConversations(options);
    if (!sampleSize || !report.runId || report.state !== "completed")
      return done(report, report.state === "completed" || report.state === "dry-run");
    const integrity = await migration.validateMigrationIntegrity(report.runId, { sampleSize });
    return done(
      { ...report, state: integrity.passed ? "validated" : "rolled_back", integrity },
      integrity.passed,
    );
  } finally {
    await memory.close();
  }
});
