/**
 * Scheduled Lambda: applies the outbox to the projection tiers (Redis, Chroma, Neo4j), works erase
 * tasks and, with the Step Functions import runner, starts an execution for each import not yet launched.
 */
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { ConfigError } from "../shared/errors/memory-error.js";
import { launchImports, type StartExecution } from "../shared/import/launcher.js";
import { createMemory } from "../shared/runtime/create-memory.js";
import { createStores } from "../shared/tiers/index.js";

const config = await loadConfigWithSecrets();
// The launcher works on the import store itself (unlaunched, claimLaunch), which the memory does not expose.
const stores = createStores(config);
const { manager, logger } = createMemory(config, { stores });
const launcher = config.imports.runner === "step-functions" ? await importLauncher() : undefined;

export const handler = async () => {
  // First: it takes a moment, and an import should not wait for a long outbox.
  const imports = launcher && (await launcher());
  const report = await manager.reconcile({ batchSize: 200, maxBatches: 20 });
  // A failure makes the invocation fail: the schedule's retries, then the dead-letter queue, see it.
  if (report.failed > 0 && report.applied === 0)
    throw new Error(`outbox: ${report.failed} projections failed, none applied (${report.errors[0]?.error})`);
  if (report.erasures.failed > 0 && report.erasures.done === 0)
    throw new Error(`erasure: ${report.erasures.failed} erase tasks failed, none done; they are retried`);
  if (imports && imports.failed > 0 && imports.launched === 0)
    throw new Error(
      `imports: ${imports.failed} could not be launched (${imports.errors[0]?.error}); they are retried`,
    );
  return { ...report, imports };
};

/** Launches imports on the state machine named by the config; the SDK is loaded only for this runner. */
async function importLauncher() {
  const arn = config.imports.stateMachineArn;
  if (!stores.imports)
    throw new ConfigError(["HIERARCHICAL_MEMORY_IMPORT_RUNNER: the step-functions runner needs Postgres"]);
  if (!arn)
    throw new ConfigError([
      "HIERARCHICAL_MEMORY_IMPORT_STATE_MACHINE_ARN: required with HIERARCHICAL_MEMORY_IMPORT_RUNNER=step-functions",
    ]);
  const { SFNClient, StartExecutionCommand } = await import("@aws-sdk/client-sfn");
  const client = new SFNClient({});
  const startExecution: StartExecution = ({ name, input }) =>
    client.send(new StartExecutionCommand({ stateMachineArn: arn, name, input }));
  const imports = stores.imports;
  return () => launchImports({ imports, startExecution, logger });
}
