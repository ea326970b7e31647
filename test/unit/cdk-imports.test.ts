/** The CDK app wires bulk imports as intended: task functions, the state machine, the private expiring bucket, the launcher's grant. */
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { importDefinition, synthTemplate } from "../../infra/cdk/synth.js";

const template = synthTemplate({ HIERARCHICAL_MEMORY_IMPORT_BATCH_SIZE: "250" });
const functions = Object.entries(template.findResources("AWS::Lambda::Function"));
const fn = (prefix: string) => functions.find(([id]) => id.startsWith(prefix))?.[1];
const states = (importDefinition(template) as { States: Record<string, Record<string, unknown>> }).States;
const [bucketId] = Object.keys(
  template.findResources("AWS::S3::Bucket", { Properties: { LoggingConfiguration: Match.anyValue() } }),
);
/** The bucket's URLs, as the environment gets them: https://<its regional domain>/. */
const bucketPrefix = {
  "Fn::Join": ["", ["https://", { "Fn::GetAtt": [bucketId, "RegionalDomainName"] }, "/"]],
};

describe("CDK: bulk imports", () => {
  it("runs each task from one bundle on Node 24, arm64, with the step-functions runner and the bucket's URLs", () => {
    const tasks = {
      ImportPlan: "index.plan",
      ImportGroup: "index.importGroup",
      ImportFinish: "index.finish",
      ImportFail: "index.fail",
    };
    for (const [prefix, handler] of Object.entries(tasks)) {
      expect(fn(prefix)?.Properties, prefix).toMatchObject({
        Handler: handler,
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Environment: {
          Variables: {
            HIERARCHICAL_MEMORY_IMPORT_BATCH_SIZE: "250",
            HIERARCHICAL_MEMORY_IMPORT_RUNNER: "step-functions",
            HIERARCHICAL_MEMORY_IMPORT_URL_PREFIXES: bucketPrefix,
          },
        },
      });
    }
    // A large file is held whole while it is cut into lines.
    expect(fn("ImportGroup")?.Properties.MemorySize).toBe(3008);
    expect(fn("ImportGroup")?.Properties.Timeout).toBe(900);
  });

  it("has the API hold imports for the runner and accept the bucket's URLs only", () => {
    expect(fn("Api")?.Properties.Environment.Variables).toMatchObject({
      HIERARCHICAL_MEMORY_IMPORT_RUNNER: "step-functions",
      HIERARCHICAL_MEMORY_IMPORT_URL_PREFIXES: bucketPrefix,
    });
  });

  it("lets the reconciler start executions of the import state machine, and nothing else of Step Functions", () => {
    const [machineId] = Object.keys(template.findResources("AWS::StepFunctions::StateMachine")).filter((id) =>
      id.startsWith("Import"),
    );
    expect(fn("Reconciler")?.Properties.Environment.Variables).toMatchObject({
      HIERARCHICAL_MEMORY_IMPORT_RUNNER: "step-functions",
      HIERARCHICAL_MEMORY_IMPORT_STATE_MACHINE_ARN: { Ref: machineId },
    });
    const statements = Object.entries(template.findResources("AWS::IAM::Policy")).flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).map(
        (s) => ({
          id,
          ...s,
        }),
      ),
    );
    const starts = statements.filter((s) => [s.Action].flat().includes("states:StartExecution"));
    expect(starts).toEqual([
      expect.objectContaining({ id: expect.stringMatching(/^Reconciler/), Resource: { Ref: machineId } }),
    ]);
    // Presigned URLs carry their own permission: no function may read the bucket by its role.
    expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith("s3:")))).toEqual([]);
  });

  it("is a Standard state machine: Plan, a Map two groups at a time, Finish until no projection remains", () => {
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: "ALL", IncludeExecutionData: false }),
    });
    expect(Object.keys(states).sort()).toEqual(
      [
        "EachGroup",
        "FailImport",
        "Finish",
        "ImportFailed",
        "Imported",
        "Plan",
        "ProjectionsRemaining",
      ].sort(),
    );
    expect(states.Plan).toMatchObject({ Type: "Task", Next: "EachGroup", ResultPath: "$.plan" });
    expect(states.EachGroup).toMatchObject({
      Type: "Map",
      MaxConcurrency: 2,
      ItemsPath: "$.plan.groups",
      ResultPath: null,
      ItemProcessor: { StartAt: "ImportGroup" },
      Next: "Finish",
    });
    expect(states.ProjectionsRemaining).toMatchObject({
      Type: "Choice",
      Choices: [{ Variable: "$.report.projectionsRemaining", BooleanEquals: true, Next: "Finish" }],
      Default: "Imported",
    });
    expect(states.Imported).toEqual({ Type: "Succeed" });
  });

  it("retries a task but not a refusal, and ends any failure in the Fail task, then a Fail state with its reason", () => {
    for (const name of ["Plan", "EachGroup", "Finish"])
      expect(states[name]?.Catch, name).toEqual([
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "FailImport" },
      ]);
    expect(states.Plan?.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: ["ZodError", "ImportRefused"], MaxAttempts: 0 }),
        expect.objectContaining({ ErrorEquals: ["States.ALL"], MaxAttempts: 3, BackoffRate: 2 }),
      ]),
    );
    expect(states.FailImport).toMatchObject({
      Type: "Task",
      Parameters: { "importId.$": "$.importId", "error.$": "$.error" },
      Next: "ImportFailed",
    });
    expect(states.ImportFailed).toEqual({
      Type: "Fail",
      Error: "ImportFailed",
      CausePath: "$.failed.reason",
    });
  });

  it("keeps large files in a private, encrypted, TLS-only bucket that forgets them after 7 days and logs access", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            ExpirationInDays: 7,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ],
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: "files/" },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("outputs the state machine's ARN and the bucket's name", () => {
    template.hasOutput("ImportStateMachineArn", {
      Value: { Ref: Match.stringLikeRegexp("^ImportStateMachine") },
    });
    template.hasOutput("ImportBucketName", { Value: { Ref: bucketId } });
  });
});
