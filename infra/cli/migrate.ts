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
import { parseArgs } from "node:util";
import { loadConfig } from "../../shared/config/index.js";
import { HierarchicalMemoryManager } from "../../shared/memory/manager.js";
import {
  HierarchicalMigrationManager,
  MigrationError,
  type MigrationProgress,
} from "../../shared/migration/migration-manager.js";
import { resolveEnv } from "../local/resolve-env.js";

const { values } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    users: { type: "string" },
    "batch-size": { type: "string" },
    concurrency: { type: "string" },
    resume: { type: "string" },
    run: { type: "string" },
    validate: { type: "string" },
    rollback: { type: "string" },
    list: { type: "boolean", default: false },
  },
});

const positive = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new MigrationError("invalid", `--${name} must be a whole number ≥ 1, got "${value}"`);
  return n;
};

function progressPrinter(): (p: MigrationProgress) => void {
  if (!process.stderr.isTTY) return (p) => console.log(JSON.stringify({ event: "progress", ...p }));
  return (p) => {
    const width = 30;
    const share = p.recordsTotal > 0 ? p.recordsDone / p.recordsTotal : 1;
    const bar = "█".repeat(Math.round(share * width)).padEnd(width, "░");
    const eta = p.etaSeconds === null ? "?" : `${p.etaSeconds}s`;
    process.stderr.write(
      `\r${bar} ${(share * 100).toFixed(1)}%  ${p.recordsDone}/${p.recordsTotal} records  ${p.recordsPerSecond}/s  ETA ${eta}   `,
    );
  };
}

async function main(): Promise<number> {
  const config = loadConfig((await resolveEnv()).env);
  const memory = HierarchicalMemoryManager.fromConfig(config);
  try {
    await memory.ensureInitialized();
    const migration = HierarchicalMigrationManager.fromConfig(config, memory);
    migration.on("progress", progressPrinter());
    const sampleSize = positive("validate", values.validate);
    const done = (report: unknown, ok: boolean) => {
      // One line when not on a terminal, so the output stays JSON lines.
      if (process.stderr.isTTY) process.stderr.write("\n");
      console.log(
        process.stderr.isTTY
          ? JSON.stringify(report, null, 2)
          : JSON.stringify({ event: "report", ...(report as object) }),
      );
      return ok ? 0 : 1;
    };

    if (values.list) return done(await migration.runs.list(), true);
    if (values.rollback) return done(await migration.rollbackMigration(values.rollback), true);
    if (values.run) {
      if (!sampleSize) throw new MigrationError("invalid", "--run needs --validate N (the sample size)");
      const integrity = await migration.validateMigrationIntegrity(values.run, { sampleSize });
      return done(integrity, integrity.passed);
    }
    const options = {
      dryRun: values["dry-run"],
      batchSize: positive("batch-size", values["batch-size"]),
      concurrency: positive("concurrency", values.concurrency),
    };
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
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof MigrationError) console.error(`migrate: ${error.message}`);
    else console.error(error);
    process.exit(error instanceof MigrationError ? 2 : 1);
  },
);
