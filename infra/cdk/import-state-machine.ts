import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ILogGroup } from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { importRefused } from "../../shared/import/tasks.js";
import { retryingInvoke, standardStateMachine } from "./task-invoke.js";

export interface ImportTaskFunctions {
  plan: IFunction;
  importGroup: IFunction;
  finish: IFunction;
  fail: IFunction;
}

export interface ImportStateMachineProps {
  tasks: ImportTaskFunctions;
  /** Groups imported at the same time (each holds Postgres connections). Default 2. */
  maxConcurrency?: number;
  logs?: ILogGroup;
}

export class ImportStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly tasks: ImportTaskFunctions;

  constructor(scope: Construct, id: string, props: ImportStateMachineProps) {
    super(scope, id);
    const { tasks } = props;
    this.tasks = tasks;
    // Bad input and refusals (an unreadable location, too many lines) fail the same way every time.
    const invoke = retryingInvoke(this, ["ZodError", importRefused]);

    const failImport = invoke("FailImport", tasks.fail, {
      payload: sfn.TaskInput.fromObject({ "importId.$": "$.importId", "error.$": "$.error" }),
      resultPath: "$.failed",
    }).next(
      new sfn.Fail(this, "ImportFailed", {
        error: "ImportFailed",
        // The short reason the import records (never a stack), as the execution's cause.
        causePath: "$.failed.reason",
      }),
    );
    // What was caught goes to $.error ({Error, Cause}); $.importId, the execution's input, stays.
    const onFailure = { errors: ["States.ALL"], resultPath: "$.error" };

    const plan = invoke("Plan", tasks.plan, {
      payload: sfn.TaskInput.fromObject({ "importId.$": "$.importId" }),
      resultPath: "$.plan",
    }).addCatch(failImport, onFailure);
    const eachGroup = new sfn.Map(this, "EachGroup", {
      itemsPath: "$.plan.groups",
      itemSelector: {
        "importId.$": "$.plan.importId",
        "groupSize.$": "$.plan.groupSize",
        "group.$": "$$.Map.Item.Value",
      },
      maxConcurrency: props.maxConcurrency ?? 2,
      resultPath: sfn.JsonPath.DISCARD,
    })
      .itemProcessor(invoke("ImportGroup", tasks.importGroup, {}))
      .addCatch(failImport, onFailure);
    const finish = invoke("Finish", tasks.finish, {
      payload: sfn.TaskInput.fromObject({ "importId.$": "$.importId" }),
      resultPath: "$.report",
    }).addCatch(failImport, onFailure);

    const definition = plan
      .next(eachGroup)
      .next(finish)
      .next(
        // Projections are built within a time budget per call: loop until none remain.
        new sfn.Choice(this, "ProjectionsRemaining")
          .when(sfn.Condition.booleanEquals("$.report.projectionsRemaining", true), finish)
          .otherwise(new sfn.Succeed(this, "Imported")),
      );

    this.stateMachine = standardStateMachine(this, definition, props.logs);
  }
}
