/** The state machine's execution input from CLI flags, checked against what its Plan task accepts. */
import { StartInput } from "../../shared/migration/tasks.js";

export interface CloudMigrationFlags {
  users?: string;
  "batch-size"?: string;
  "group-size"?: string;
  validate?: string;
  resume?: string;
}

export function executionInput(args: CloudMigrationFlags) {
  const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  return StartInput.parse({
    users: args.users
      ?.split(",")
      .map((u) => u.trim())
      .filter(Boolean),
    batchSize: number(args["batch-size"]),
    groupSize: number(args["group-size"]),
    validateSample: number(args.validate),
    resumeRunId: args.resume,
  });
}
