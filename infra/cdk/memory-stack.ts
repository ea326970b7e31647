/**
 * The deployment: today the legacy migration (its task Lambdas and state machine). Settings reach
 * the functions as environment variables from the `memoryEnv` context (non-secret ones, names as in
 * template.env).
 */
import { Duration, Stack, type StackProps } from "aws-cdk-lib";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { MigrationStateMachine } from "./migration-state-machine.js";
import { nodeFunction } from "./node-function.js";

export class MemoryStack extends Stack {
  readonly migration: MigrationStateMachine;

  constructor(scope: Construct, id: string, props: StackProps & { memoryEnv?: Record<string, string> } = {}) {
    super(scope, id, props);
    const environment = { ...props.memoryEnv };
    const task = (name: string, handler: string, timeout: Duration) =>
      nodeFunction(this, name, { entry: "functions/migration.ts", handler, timeout, environment });
    this.migration = new MigrationStateMachine(this, "Migration", {
      tasks: {
        plan: task("MigrationPlan", "plan", Duration.minutes(1)),
        // A group is groupSize batches: at 2,000 records/s, 20 x 500 records take about 5 s.
        migrateGroup: task("MigrationGroup", "migrateGroup", Duration.minutes(15)),
        finish: task("MigrationFinish", "finish", Duration.minutes(15)),
        validate: task("MigrationValidate", "validate", Duration.minutes(15)),
      },
      logs: new LogGroup(this, "MigrationLogs", { retention: RetentionDays.THREE_MONTHS }),
    });
  }
}
