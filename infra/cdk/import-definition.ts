/**
 * The import state machine's definition as CDK synthesizes it, Lambda ARNs filled with placeholders,
 * so tests run exactly that definition locally (as synth.ts's migrationDefinition does for the
 * migration's, which takes the stack's first state machine).
 */
import type { Template } from "aws-cdk-lib/assertions";

type Part = string | { "Fn::GetAtt"?: [string, string] };

export function importDefinition(template: Template): object {
  const machine = Object.entries(template.findResources("AWS::StepFunctions::StateMachine")).find(([id]) =>
    id.startsWith("Import"),
  )?.[1];
  const definition = machine?.Properties?.DefinitionString as { "Fn::Join": [string, Part[]] } | undefined;
  if (!definition) throw new Error("the stack has no import state machine");
  const text = definition["Fn::Join"][1]
    .map((part) =>
      typeof part === "string"
        ? part
        : `arn:aws:lambda:local:000000000000:function:${part["Fn::GetAtt"]?.[0] ?? "unknown"}`,
    )
    .join("");
  return JSON.parse(text) as object;
}
