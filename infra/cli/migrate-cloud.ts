/**
 * Starts the deployed migration state machine and follows it until it ends:
 *
 *   npm run migrate:cloud -- --state-machine-arn ARN [--users a,b] [--batch-size 500] [--group-size 20]
 *                            [--validate 500] [--resume RUN_ID] [--no-wait]
 *
 * The ARN is the stack output MigrationStateMachineArn (or MIGRATION_STATE_MACHINE_ARN). AWS
 * credentials and region come from the usual AWS environment/profile.
 */
import { CliError, type Command, parseCommandLine, runMain, UsageError } from "./run-cli.js";

const command = {
  name: "migrate:cloud",
  usage: [
    "npm run migrate:cloud -- --state-machine-arn ARN [--users LIST] [--batch-size N] [--group-size N]",
    "                         [--validate N] [--resume RUN_ID] [--no-wait]",
  ],
  about: `
Starts an execution of the deployed migration state machine (Plan, then groups of batches, Finish,
Validate) and follows it: every 10 s until it ends, then prints its status, error and output as JSON on
stdout. The execution's ARN goes to stderr when it starts.`,
  options: {
    "state-machine-arn": {
      type: "string",
      value: "ARN",
      default: process.env.MIGRATION_STATE_MACHINE_ARN,
      description: "the stack output MigrationStateMachineArn",
      defaultText: "$MIGRATION_STATE_MACHINE_ARN; one of the two is required",
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
      description: "legacy records per batch",
      defaultText: "the deployment's HIERARCHICAL_MEMORY_MIGRATION_BATCH_SIZE, 500",
    },
    "group-size": {
      type: "string",
      value: "N",
      description: "batches per task invocation",
      defaultText: "20",
    },
    validate: {
      type: "string",
      value: "N",
      description: "legacy records sampled by the integrity validation at the end; 0 skips it",
      defaultText: "100",
    },
    resume: {
      type: "string",
      value: "RUN_ID",
      description: "continue this run (one that ended in MigrationIncomplete) instead of starting one",
    },
    "no-wait": {
      type: "boolean",
      default: false,
      description: "start the execution and exit, without following it",
    },
  },
  notes: `
Environment: AWS credentials and region the usual way (AWS_PROFILE, AWS_REGION, ...);
MIGRATION_STATE_MACHINE_ARN.

Exit status: 0 the execution succeeded (or, with --no-wait, started); 1 it failed, timed out or was
aborted, or AWS refused the request; 2 for a usage error.`,
} satisfies Command;

const { values } = parseCommandLine(command);

runMain(command, async () => {
  const arn = values["state-machine-arn"];
  if (!arn) throw new UsageError("--state-machine-arn (or MIGRATION_STATE_MACHINE_ARN) is required");
  const [
    { executionInput },
    { DescribeExecutionCommand, SFNClient, SFNServiceException, StartExecutionCommand },
  ] = await Promise.all([import("./migrate-cloud-input.js"), import("@aws-sdk/client-sfn")]);
  const input = executionInput(values);
  const sfn = new SFNClient({});
  /** AWS refusing a call (no credentials, no access, no such state machine) is one line, not a stack. */
  const aws = async <T>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (error) {
      if (error instanceof SFNServiceException || (error as Error).name === "CredentialsProviderError")
        throw new CliError(`AWS: ${(error as Error).message}`);
      throw error;
    }
  };
  const { executionArn } = await aws(
    sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) })),
  );
  console.error(`started ${executionArn}`);
  if (values["no-wait"]) return 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 10_000));
    const run = await aws(sfn.send(new DescribeExecutionCommand({ executionArn })));
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
});
