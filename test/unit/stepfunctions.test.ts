/** The local Step Functions runner executes a real ASL definition with local task handlers. */
import { describe, expect, it } from "vitest";
import { runStateMachineLocally } from "../../infra/local/stepfunctions.js";

const definition = {
  StartAt: "ListBatches",
  States: {
    ListBatches: { Type: "Task", Resource: "arn:aws:lambda:local:0:function:list", Next: "EachBatch" },
    EachBatch: {
      Type: "Map",
      ItemsPath: "$.batches",
      MaxConcurrency: 2,
      ItemProcessor: {
        StartAt: "MigrateBatch",
        States: {
          MigrateBatch: {
            Type: "Task",
            Resource: "arn:aws:lambda:local:0:function:migrate",
            Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 2 }],
            End: true,
          },
        },
      },
      ResultPath: "$.migrated",
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Failed" }],
      Next: "Done",
    },
    Done: { Type: "Succeed" },
    Failed: { Type: "Pass", Result: "rolled back", ResultPath: "$.outcome", End: true },
  },
};

describe("runStateMachineLocally", () => {
  it("runs tasks, a Map and retries a failing task", async () => {
    const attempts = new Map<number, number>();
    const result = await runStateMachineLocally(
      definition,
      {
        ListBatches: () => ({ batches: [1, 2, 3] }),
        MigrateBatch: (batch) => {
          const n = (attempts.get(batch as number) ?? 0) + 1;
          attempts.set(batch as number, n);
          if (batch === 2 && n === 1) throw new Error("transient");
          return (batch as number) * 10;
        },
      },
      {},
    );
    expect(result).toEqual({ batches: [1, 2, 3], migrated: [10, 20, 30] });
    expect(attempts.get(2)).toBe(2);
  });

  it("takes the catch path when retries are exhausted", async () => {
    const result = await runStateMachineLocally(
      definition,
      {
        ListBatches: () => ({ batches: [1] }),
        MigrateBatch: () => {
          throw new Error("permanent");
        },
      },
      {},
    );
    expect(result).toMatchObject({ outcome: "rolled back", error: { Error: "Error" } });
  });
});
