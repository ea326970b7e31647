/** The CDK app synthesizes offline (no account, no network, no bundling) with the migration wired as intended. */
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { migrationDefinition, synthTemplate } from "../../infra/cdk/synth.js";

const template = synthTemplate({ HIERARCHICAL_MEMORY_MIGRATION_TENANT: "acme" });

describe("CDK: migration", () => {
  it("runs each task on Node 24, arm64, with the settings given as context", () => {
    const functions = Object.fromEntries(
      Object.entries(
        template.findResources("AWS::Lambda::Function", {
          Properties: { Handler: Match.stringLikeRegexp("^index\\.(plan|migrateGroup|finish|validate)$") },
        }),
      ).filter(([id]) => id.startsWith("Migration")),
    );
    expect(Object.keys(functions)).toHaveLength(4);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Environment: { Variables: { HIERARCHICAL_MEMORY_MIGRATION_TENANT: "acme" } },
      });
    }
  });

  it("is a Standard state machine whose Map bounds concurrency and whose tasks retry but not on bad input", () => {
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", { StateMachineType: "STANDARD" });
    const states = (migrationDefinition(template) as { States: Record<string, Record<string, unknown>> })
      .States;
    expect(states.EachGroup).toMatchObject({ Type: "Map", MaxConcurrency: 4, ItemsPath: "$.plan.groups" });
    expect(states.Plan?.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ErrorEquals: ["ZodError", "InvalidInputError", "NotFoundError", "ConflictError", "ConfigError"],
          MaxAttempts: 0,
        }),
        expect.objectContaining({ ErrorEquals: ["States.ALL"], MaxAttempts: 3, BackoffRate: 2 }),
      ]),
    );
    expect(states.ProjectionsRemaining).toMatchObject({ Type: "Choice" });
    expect(states.RolledBack).toMatchObject({ Type: "Fail", Error: "IntegrityBelowMinimum" });
  });
});
