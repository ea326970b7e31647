/** The whole deployment synthesizes offline and passes cdk-nag's AwsSolutions rules. */
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { synthStack } from "../../infra/cdk/synth.js";
import { secretVariables } from "../../shared/config/secrets.js";

const { app, stack } = synthStack(
  { memoryEnv: { HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: "80", HIERARCHICAL_MEMORY_CACHE_TTL: "600" } },
  { nag: true },
);
const template = Template.fromStack(stack);
const allFunctions = template.findResources("AWS::Lambda::Function");
/** Our entry points' functions (not the one CDK adds to invoke the deploy-time trigger). */
const ours = Object.entries(allFunctions).filter(([, f]) => f.Properties.Handler?.startsWith("index."));
const functions = ours.map(([, f]) => f);

describe("CDK deployment", () => {
  it("passes cdk-nag's AwsSolutions rules (accepted findings acknowledged with reasons)", () => {
    expect(() => app.synth()).not.toThrow();
  });

  it("has one function per entry point, all Node 24 on arm64, with settings but no secrets in the environment", () => {
    const handlers = functions.map((f) => f.Properties.Handler).sort();
    expect(handlers).toEqual([
      "index.fail",
      "index.finish",
      "index.finish",
      "index.handler",
      "index.handler",
      "index.handler",
      "index.handler",
      "index.importGroup",
      "index.migrateGroup",
      "index.plan",
      "index.plan",
      "index.validate",
    ]);
    for (const f of functions) {
      expect(f.Properties).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
      });
      const variables = f.Properties.Environment.Variables as Record<string, unknown>;
      expect(variables).toMatchObject({
        HIERARCHICAL_MEMORY_CACHE_TTL: "600",
        HIERARCHICAL_MEMORY_SECRETS_ARN: expect.anything(),
      });
      const secretLike = (k: string) =>
        /URL|URI|PASSWORD|API_KEY/.test(k) && k !== "HIERARCHICAL_MEMORY_IMPORT_URL_PREFIXES";
      expect(Object.keys(variables).filter(secretLike)).toEqual([]);
      expect(
        Object.keys(variables).filter((k) => (secretVariables as readonly string[]).includes(k)),
      ).toEqual([]);
    }
  });

  it("refuses to put a secret setting in plain environment variables", () => {
    expect(() =>
      synthStack({ memoryEnv: { HIERARCHICAL_MEMORY_POSTGRESQL_URL: "postgres://u:p@h/db" } }),
    ).toThrow(/HIERARCHICAL_MEMORY_POSTGRESQL_URL must be in the secret/);
  });

  it("serves the API over an HTTP API stage with throttling and JSON access logs", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
    template.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "$default" });
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp("requestId") },
    });
  });

  it("sweeps orphan projection data daily, one at a time, with a dead-letter queue", () => {
    template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 day)" });
    const sweep = ours.find(([id]) => id.startsWith("Sweep"))?.[1];
    expect(sweep?.Properties).toMatchObject({ ReservedConcurrentExecutions: 1, Timeout: 900 });
  });

  it("runs the reconciler every minute, one at a time, with a dead-letter queue", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [
        Match.objectLike({
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
        }),
      ],
    });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "index.handler",
      ReservedConcurrentExecutions: 1,
      DeadLetterConfig: Match.anyValue(),
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
  });

  it("alarms on API 5xx rate, p99 over the context deadline, failed migrations and dead letters", () => {
    const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm")).map((a) => a.Properties);
    expect(alarms).toHaveLength(4);
    expect(alarms.find((a) => a.ExtendedStatistic === "p99")).toMatchObject({
      Threshold: 80,
      MetricName: "Latency",
    });
    expect(alarms.find((a) => a.MetricName === "ExecutionsFailed")).toMatchObject({ Threshold: 1 });
    expect(alarms.find((a) => a.MetricName === "ApproximateNumberOfMessagesVisible")).toMatchObject({
      Threshold: 1,
    });
    expect(alarms.find((a) => a.Metrics)?.Threshold).toBe(1);
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
  });

  it("lets every function read the one secret and nothing else of Secrets Manager", () => {
    const policies = Object.values(template.findResources("AWS::IAM::Policy"));
    const secretStatements = policies
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      )
      .filter((s) => [s.Action].flat().some((a) => a.startsWith("secretsmanager:")));
    expect(secretStatements).toHaveLength(12);
    for (const s of secretStatements)
      expect(JSON.stringify(s.Resource)).toContain(":secret:hierarchical-memory-??????");
  });

  it("prepares the tiers at deploy, before any function that uses them is created or updated", () => {
    const triggers = Object.entries(template.findResources("Custom::Trigger"));
    expect(triggers).toHaveLength(1);
    const [triggerId, trigger] = triggers[0] ?? [];
    const schemaFunction = ours.find(([id]) => id.startsWith("Schema"));
    // It invokes the schema function (its current version).
    expect(JSON.stringify(trigger?.Properties.HandlerArn)).toMatch(/"Ref":"SchemaCurrentVersion/);
    expect(schemaFunction).toBeDefined();
    // Every other function of ours waits for the trigger.
    for (const [id, f] of ours.filter(([fid]) => !fid.startsWith("Schema")))
      expect([f.DependsOn ?? []].flat(), id).toContain(triggerId);
  });

  it("bounds the API by the Postgres connection budget: a small pool per container, a reserved concurrency", () => {
    const api = ours.find(([id]) => id.startsWith("Api"))?.[1];
    const variables = api?.Properties.Environment.Variables as Record<string, string>;
    // One request at a time per container: 4 connections, and the read pool's 2.
    expect(variables.HIERARCHICAL_MEMORY_POSTGRESQL_MAX_CONNECTIONS).toBe("4");
    // The default budget of 300 connections over 6 a container.
    expect(api?.Properties.ReservedConcurrentExecutions).toBe(50);
    const sized = Template.fromStack(synthStack({ postgresConnectionBudget: 120 }).stack);
    sized.hasResourceProperties("AWS::Lambda::Function", {
      Handler: "index.handler",
      ReservedConcurrentExecutions: 20,
      Environment: { Variables: Match.objectLike({ HIERARCHICAL_MEMORY_POSTGRESQL_MAX_CONNECTIONS: "4" }) },
    });
    const unbounded = Template.fromStack(synthStack({ postgresConnectionBudget: 0 }).stack);
    const apiUnbounded = Object.entries(unbounded.findResources("AWS::Lambda::Function")).find(([id]) =>
      id.startsWith("Api"),
    )?.[1];
    expect(apiUnbounded?.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it("scales to zero by default, and keeps warm API instances only when asked", () => {
    expect(template.findResources("AWS::Lambda::Alias")).toEqual({});
    const warm = Template.fromStack(synthStack({ provisionedConcurrency: 3 }).stack);
    warm.hasResourceProperties("AWS::Lambda::Alias", {
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 3 },
    });
  });
});
