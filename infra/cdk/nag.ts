/**
 * cdk-nag's AwsSolutions rules on the app (a CDK validation plugin, run at every synth), and the
 * findings we accept, each with its reason.
 */
import { type App, type CfnElement, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { MemoryStack } from "./memory-stack.js";

export function checkWithNag(app: App) {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

const rule = (finding: string) => `AwsSolutions::AwsSolutions-${finding}`;

export function acknowledgeAcceptedFindings(stack: MemoryStack) {
  const accept = (finding: string, reason: string) =>
    Validations.of(stack).acknowledge({ id: rule(finding), reason });
  accept(
    "APIG4",
    "The app authorizes every /v1/users route itself with tenant API keys (hashed, compared in constant time); /v1/health is public by design.",
  );
  accept(
    "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "The Lambda basic execution role only allows writing the function's own CloudWatch logs.",
  );
  accept(
    "IAM5[Resource::*]",
    "X-Ray's PutTraceSegments/PutTelemetryRecords and the log delivery APIs Step Functions needs accept no resource scoping.",
  );
  Validations.of(stack.importFiles.logs).acknowledge({
    id: rule("S1"),
    reason: "This bucket receives the import bucket's server access logs; logging its own access would loop.",
  });
  for (const fn of [...Object.values(stack.migration.tasks), ...Object.values(stack.imports.tasks)]) {
    const id = stack.getLogicalId(fn.node.defaultChild as CfnElement);
    accept(
      `IAM5[Resource::<${id}.Arn>:*]`,
      "The state machine may invoke its own task function's versions and aliases (the function ARN with a qualifier), nothing else.",
    );
  }
}
