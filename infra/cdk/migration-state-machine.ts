import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ILogGroup } from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { retryingInvoke, standardStateMachine } from "./task-invoke.js";

export interface MigrationTaskFunctions {
  plan: IFunction;
  migrateGroup: IFunction;
  finish: IFunction;
  validate: IFunction;
}

export interface MigrationStateMachineProps {
  tasks: MigrationTaskFunctions;
  /** Groups migrated at the same time. */
  maxConcurrency?: number;
  logs?: ILogGroup;
}

export class MigrationStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly tasks: MigrationTaskFunctions;

  constructor(scope: Construct, id: string, props: MigrationStateMachineProps) {
    super(scope, id);
    const { tasks } = props;
    this.tasks = tasks;
    // Bad input and refused requests (an unknown or rolled-back run, a changed legacy store, no tenant
    // configured) fail the same way every time: no retry. The bundles keep class names (keepNames).
    const invoke = retryingInvoke(this, [
      "ZodError",
      "InvalidInputError",
      "NotFoundError",
      "ConflictError",
      "ConfigError",
    ]);

    const plan = invoke("Plan", tasks.plan, { resultPath: "$.plan" });
    const migrateGroup = invoke("MigrateGroup", tasks.migrateGroup, {});
    const groupFailed = new sfn.Pass(this, "GroupFailed", {
      comment: "The group's batches stay uncommitted; Finish reports them and a resume retries them.",
    });
    migrateGroup.addCatch(groupFailed, { errors: ["States.ALL"], resultPath: "$.error" });
    const eachGroup = new sfn.Map(this, "EachGroup", {
      itemsPath: "$.plan.groups",
      itemSelector: {
        "runId.$": "$.plan.runId",
        "groupSize.$": "$.plan.groupSize",
        "group.$": "$$.Map.Item.Value",
      },
      maxConcurrency: props.maxConcurrency ?? 4,
      resultPath: sfn.JsonPath.DISCARD,
    }).itemProcessor(migrateGroup);
    const finish = invoke("Finish", tasks.finish, {
      payload: sfn.TaskInput.fromObject({ "runId.$": "$.plan.runId" }),
      resultPath: "$.report",
    });
    const validate = invoke("Validate", tasks.validate, {
      payload: sfn.TaskInput.fromObject({
        "runId.$": "$.plan.runId",
        "sampleSize.$": "$.plan.validateSample",
      }),
      resultPath: "$.integrity",
    });
    const incomplete = new sfn.Fail(this, "MigrationIncomplete", {
      error: "MigrationIncomplete",
      cause: 'Some batches failed; start an execution with {"resumeRunId": <runId>} to retry them',
    });
    const rolledBack = new sfn.Fail(this, "RolledBack", {
      error: "IntegrityBelowMinimum",
      cause: "Validation scored under the minimum; the run was rolled back from every tier",
    });
    const validated = new sfn.Succeed(this, "Validated");
    const done = new sfn.Succeed(this, "Completed");

    const afterFinish = new sfn.Choice(this, "AllBatchesCommitted")
      .when(
        sfn.Condition.stringEquals("$.report.state", "completed"),
        new sfn.Choice(this, "ValidateRequested")
          .when(
            sfn.Condition.numberGreaterThan("$.plan.validateSample", 0),
            validate.next(
              new sfn.Choice(this, "IntegrityPassed")
                .when(sfn.Condition.booleanEquals("$.integrity.passed", true), validated)
                .otherwise(rolledBack),
            ),
          )
          .otherwise(done),
      )
      .otherwise(incomplete);
    const definition = plan
      .next(eachGroup)
      .next(finish)
      .next(
        // Projections are built within a time budget per call: loop until none remain.
        new sfn.Choice(this, "ProjectionsRemaining")
          .when(sfn.Condition.booleanEquals("$.report.projectionsRemaining", true), finish)
          .otherwise(afterFinish),
      );

    this.stateMachine = standardStateMachine(this, definition, props.logs);
  }
}
