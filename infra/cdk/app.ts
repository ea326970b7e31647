/** The CDK app (`npx cdk synth`, `npx cdk deploy`): one stack, settings from context. */
import { App } from "aws-cdk-lib";
import { MemoryStack } from "./memory-stack.js";

const app = new App();
new MemoryStack(app, "HierarchicalMemory", {
  memoryEnv: app.node.tryGetContext("memoryEnv") ?? {},
});
