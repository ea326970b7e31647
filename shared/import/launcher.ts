/**
 * The Step Functions runner's launcher: the scheduled reconciler starts one execution of the import
 * state machine per import no runner has taken yet. The execution's name is the import's id, so
 * Step Functions itself refuses a second execution of the same import.
 *
 * The execution is started before the import is claimed, never after: an import claimed whose
 * execution never started would stay running forever, whereas one started and not yet claimed is
 * only offered again, and a second start of it is refused as ExecutionAlreadyExists (or, while it
 * runs with the same input, answered as the same execution), which counts as started.
 *
 * How an execution is started is injected (`startExecution`), so this layer stays free of the AWS SDK.
 */
import { describeError } from "../errors/memory-error.js";
import type { ImportStore } from "../tiers/imports.js";
import type { Logger } from "../util/logger.js";

/** Starts an execution of the import state machine with this name and JSON input. */
export type StartExecution = (execution: { name: string; input: string }) => Promise<unknown>;

export interface LaunchDeps {
  imports: Pick<ImportStore, "unlaunched" | "claimLaunch">;
  startExecution: StartExecution;
  logger: Logger;
}

export interface LaunchReport {
  /** Imports whose execution started (or had started) and that are now claimed. */
  launched: number;
  /** Imports left for the next run: their execution could not be started, or the claim failed. */
  failed: number;
  errors: { importId?: string; error: string }[];
}

/** The name Step Functions gives a start refused because an execution of that name exists. */
const alreadyExists = "ExecutionAlreadyExists";

/** Launches up to `limit` (default 10) imports, oldest first; never throws (see the report). */
export async function launchImports(deps: LaunchDeps, limit = 10): Promise<LaunchReport> {
  const report: LaunchReport = { launched: 0, failed: 0, errors: [] };
  let ids: string[];
  try {
    ids = await deps.imports.unlaunched(limit);
  } catch (error) {
    deps.logger.error("imports: could not list those to launch", { error: describeError(error) });
    report.errors.push({ error: describeError(error) });
    report.failed += 1;
    return report;
  }
  // One after another: a few a minute at most, and a throttled start should not take the others down.
  for (const importId of ids) {
    try {
      await start(deps.startExecution, importId);
      // False: another launcher claimed it meanwhile; either way it runs (once, by its name).
      await deps.imports.claimLaunch(importId);
      report.launched += 1;
    } catch (error) {
      deps.logger.error("imports: could not launch; it is tried again next run", {
        importId,
        error: describeError(error),
      });
      report.errors.push({ importId, error: describeError(error) });
      report.failed += 1;
    }
  }
  return report;
}

async function start(startExecution: StartExecution, importId: string): Promise<void> {
  try {
    await startExecution({ name: importId, input: JSON.stringify({ importId }) });
  } catch (error) {
    // Started by an earlier run whose claim did not happen: it is already under way (or over).
    if (error instanceof Error && error.name === alreadyExists) return;
    throw error;
  }
}
