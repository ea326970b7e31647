/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): one stack, settings from context (cdk.json or
 * `-c key=value`), checked by cdk-nag's AwsSolutions rules on every synth.
 */
import { App } from "aws-cdk-lib";
import { MemoryStack } from "./memory-stack.js";
import { acknowledgeAcceptedFindings, checkWithNag } from "./nag.js";

const app = new App();
const context = (key: string) => app.node.tryGetContext(key);
const stack = new MemoryStack(app, context("stackName") ?? "HierarchicalMemory", {
  memoryEnv: context("memoryEnv") ?? {},
  secretName: context("secretName"),
  provisionedConcurrency: Number(context("provisionedConcurrency") ?? 0),
  alarmEmail: context("alarmEmail"),
  postgresConnectionBudget:
    context("postgresConnectionBudget") === undefined
      ? undefined
      : Number(context("postgresConnectionBudget")),
});
acknowledgeAcceptedFindings(stack);
checkWithNag(app);
