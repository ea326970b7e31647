/**
 * Writes a load result's markdown and charts again from its JSON (after the report's format
 * changed); the numbers are the run's own.
 *
 *   npx tsx bench/load/rewrite-report.ts bench/results/NAME.json
 */
import { readFileSync } from "node:fs";
import { CliError, type Command, parseCommandLine, runMain, UsageError } from "../../infra/cli/run-cli.js";
import type { LoadResult } from "./report.js";

const command = {
  name: "rewrite-report",
  usage: ["npx tsx bench/load/rewrite-report.ts bench/results/NAME.json"],
  about: `
Writes a load benchmark result's markdown report and charts (NAME.md, NAME-*.png beside it) again from its
JSON, after the report's format changed; the numbers are the run's own. The JSON is not changed.`,
  options: {},
  positionals: true,
  notes: "Exit status: 0 written; 1 the file could not be read or written; 2 for a usage error.",
} satisfies Command;

const { positionals } = parseCommandLine(command);

runMain(command, async () => {
  const [path, ...extra] = positionals;
  if (!path) throw new UsageError("no bench/results/NAME.json given");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}': one result at a time`);
  let result: LoadResult;
  try {
    result = JSON.parse(readFileSync(path, "utf8")) as LoadResult;
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const { writeLoadReport } = await import("./report.js");
  writeLoadReport(result, path);
});
