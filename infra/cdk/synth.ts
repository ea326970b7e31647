/**
 * Synthesizes the stack in memory (no AWS account, no network, no bundling) for tests, optionally
 * under cdk-nag, and reads back the migration state machine's definition as deployed, Lambda ARNs
 * filled with placeholders, so tests run exactly that definition locally.
 */
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { MemoryStack, type MemoryStackProps } from "./memory-stack.js";
import { acknowledgeAcceptedFindings, checkWithNag } from "./nag.js";

export function synthStack(props: MemoryStackProps = {}, options: { nag?: boolean } = {}) {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new MemoryStack(app, "HierarchicalMemory", props);
  if (options.nag) {
    acknowledgeAcceptedFindings(stack);
    checkWithNag(app);
  }
  return { app, stack };
}

export function synthTemplate(memoryEnv: Record<string, string> = {}): Template {
  return Template.fromStack(synthStack({ memoryEnv }).stack);
}

type Part = string | { "Fn::GetAtt"?: [string, string] };

/**
 * A state machine's definition as CDK synthesizes it (the first whose logical id starts with
 * `prefix`), Lambda ARNs filled with placeholders, so tests run exactly that definition locally.
 */
export function stateMachineDefinition(template: Template, prefix: "Migration" | "Import"): object {
  const machine = Object.entries(template.findResources("AWS::StepFunctions::StateMachine")).find(([id]) =>
    id.startsWith(prefix),
  )?.[1];
  const definition = machine?.Properties?.DefinitionString as { "Fn::Join": [string, Part[]] } | undefined;
  if (!definition) throw new Error(`the stack has no ${prefix} state machine`);
  const text = definition["Fn::Join"][1]
    .map((part) =>
      typeof part === "string"
        ? part
        : `arn:aws:lambda:local:000000000000:function:${part["Fn::GetAtt"]?.[0] ?? "unknown"}`,
    )
    .join("");
  return JSON.parse(text) as object;
}

export const migrationDefinition = (template: Template) => stateMachineDefinition(template, "Migration");
export const importDefinition = (template: Template) => stateMachineDefinition(template, "Import");
