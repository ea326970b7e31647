/** The state machine's execution input from CLI flags, checked against what its Plan task accepts. */
import { StartInput } from "../../shared/migration/tasks.js";
import { UsageError } from "./run-cli.js";

export interface CloudMigrationFlags {
  users?: string;
  "batch-size"?: string;
  "group-size"?: string;
  validate?: string;
  resume?: string;
}

/** The input field each flag gives, to name the flag when the Plan task would refuse its value. */
const flagOf: Record<string, string> = {
  users: "--users",
  batchSize: "--batch-size",
  groupSize: "--group-size",
  validateSample: "--validate",
  resumeRunId: "--resume",
};

/** The execution input; a UsageError naming each flag whose value the Plan task would refuse. */
export function executionInput(args: CloudMigrationFlags) {
  const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const input = StartInput.safeParse({
    users: args.users
      ?.split(",")
      .map((u) => u.trim())
      .filter(Boolean),
    batchSize: number(args["batch-size"]),
    groupSize: number(args["group-size"]),
    validateSample: number(args.validate),
    resumeRunId: args.resume,
  });
  if (input.success) return input.data;
  throw new UsageError(
    input.error.issues
      .map((issue) => `${flagOf[String(issue.path[0])] ?? issue.path.join(".")}: ${issue.message}`)
      .join("; "),
  );
}
