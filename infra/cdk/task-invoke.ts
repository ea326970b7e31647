/** What the migration's and the import's state machines share: their Lambda tasks and their settings. */
import { Duration } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ILogGroup } from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct } from "constructs";

export type InvokeOptions = Partial<ConstructorParameters<typeof LambdaInvoke>[2]>;

/** `final`: error names that fail the same way every time (bad input, a refusal), never retried. */
export function retryingInvoke(scope: Construct, final: readonly string[]) {
  return (name: string, fn: IFunction, options: InvokeOptions) =>
    new LambdaInvoke(scope, name, { lambdaFunction: fn, payloadResponseOnly: true, ...options })
      .addRetry({ errors: [...final], maxAttempts: 0 })
      .addRetry({ errors: ["States.ALL"], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 3 });
}

/**
 * A Standard state machine over `definition`: a run longer than a week is stuck, traced, and logged
 * without execution data (inputs and outputs stay in each execution's history, out of the logs).
 */
export function standardStateMachine(scope: Construct, definition: sfn.IChainable, logs?: ILogGroup) {
  return new sfn.StateMachine(scope, "StateMachine", {
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
    stateMachineType: sfn.StateMachineType.STANDARD,
    timeout: Duration.days(7),
    tracingEnabled: true,
    ...(logs ? { logs: { destination: logs, level: sfn.LogLevel.ALL, includeExecutionData: false } } : {}),
  });
}
