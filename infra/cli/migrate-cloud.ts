/**
 * Starts the deployed migration state machine and follows it until it ends:
 *
 *   npm run migrate:cloud -- --state-machine-arn ARN [--users a,b] [--batch-size 500] [--group-size 20]
 *                            [--validate 500] [--resume RUN_ID] [--no-wait]
 *
 * The ARN is the stack output MigrationStateMachineArn (or MIGRATION_STATE_MACHINE_ARN). AWS
 * credentials and region come from the usual AWS environment/profile.
 */
import { parseArgs } from "node:util";
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { executionInput } from "./migrate-cloud-input.js";

const { values } = parseArgs({
  options: {
    "state-machine-arn": { type: "string", default: process.env.MIGRATION_STATE_MACHINE_ARN },
    users: { type: "string" },
    "batch-size": { type: "string" },
    "group-size": { type: "string" },
    validate: { type: "string" },
    resume: { type: "string" },
    "no-wait": { type: "boolean", default: false },
  },
});

async function main(): Promise<number> {
  const arn = values["state-machine-arn"];
  if (!arn) throw new Error("--state-machine-arn (or MIGRATION_STATE_MACHINE_ARN) is required");
  const sfn = new SFNClient({});
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(executionInput(values)) }),
  );
  console.error(`started ${executionArn}`);
  if (values["no-wait"]) return 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 10_000));
    const run = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (run.status === "RUNNING") continue;
    console.log(
      JSON.stringify(
        {
          status: run.status,
          error: run.error,
          cause: run.cause,
          output: run.output && JSON.parse(run.output),
        },
        null,
        2,
      ),
    );
    return run.status === "SUCCEEDED" ? 0 : 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
