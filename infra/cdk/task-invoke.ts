/** A state machine's Lambda task as both state machines build it: retried with backoff, except for errors that repeat. */
import { Duration } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
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
