/**
 * The deployment: the HTTP API (API Gateway HTTP API → Lambda), the outbox reconciler (and erase
 * tasks, and import launches) and the orphan sweep on schedules, the legacy migration and the bulk
 * import state machines, the bucket large imports are read from, alarms. Service URLs, tokens and
 * passwords stay in one Secrets Manager secret that the functions read at cold start; only
 * non-secret settings (`memoryEnv`, names as in template.env) are plain environment variables.
 * Nothing runs when idle unless provisioned concurrency is asked for.
 */
import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpStage, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Trigger } from "aws-cdk-lib/triggers";
import type { Construct } from "constructs";
import { secretVariables } from "../../shared/config/secrets.js";
import { MemoryAlarms } from "./alarms.js";
import { ImportBucket } from "./import-bucket.js";
import { ImportStateMachine } from "./import-state-machine.js";
import { MigrationStateMachine } from "./migration-state-machine.js";
import { copyIntoBundle, nodeFunction } from "./node-function.js";

export interface MemoryStackProps extends StackProps {
  /** Non-secret settings for every function (names as in template.env). */
  memoryEnv?: Record<string, string>;
  /** The Secrets Manager secret with the service URLs, tokens and passwords. Default: hierarchical-memory. */
  secretName?: string;
  /** Warm API instances kept ready (costs money when idle). Default 0: scale to zero. */
  provisionedConcurrency?: number;
  /** Requests per second the API stage accepts, and its burst. */
  throttle?: { rateLimit: number; burstLimit: number };
  /** Where alarm notifications go, if anywhere. */
  alarmEmail?: string;
  /**
   * Postgres connections the API may hold in all: its reserved concurrency is this over one
   * container's pools, so a burst cannot open more. Default 300; 0 leaves the concurrency unreserved.
   */
  postgresConnectionBudget?: number;
}

/** The API's pool per container: one request at a time needs few (context reads add half as many). */
const apiPoolSize = 4;
const apiConnectionsPerContainer = apiPoolSize + Math.max(2, Math.ceil(apiPoolSize / 2));

export class MemoryStack extends Stack {
  readonly migration: MigrationStateMachine;
  readonly imports: ImportStateMachine;
  /** Where large import files are uploaded (objects expire after 7 days), and its access logs. */
  readonly importFiles: ImportBucket;
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: MemoryStackProps = {}) {
    super(scope, id, props);
    const memoryEnv = props.memoryEnv ?? {};
    const leaked = Object.keys(memoryEnv).filter((k) => (secretVariables as readonly string[]).includes(k));
    if (leaked.length > 0)
      throw new Error(
        `${leaked.join(", ")} must be in the secret, not in memoryEnv (plain environment variables)`,
      );
    const secret = Secret.fromSecretNameV2(this, "Secret", props.secretName ?? "hierarchical-memory");
    const environment = { ...memoryEnv, HIERARCHICAL_MEMORY_SECRETS_ARN: secret.secretArn };

    const deadLetters = new Queue(this, "DeadLetters", {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
    });

    this.importFiles = new ImportBucket(this, "ImportFiles");
    // Spread after memoryEnv, so they win: in Lambda an in-process import would freeze with its
    // container once the response is sent, and only the import bucket's (presigned) URLs are read.
    const importSettings = {
      HIERARCHICAL_MEMORY_IMPORT_RUNNER: "step-functions",
      HIERARCHICAL_MEMORY_IMPORT_URL_PREFIXES: this.importFiles.urlPrefix,
    };

    const budget = props.postgresConnectionBudget ?? 300;
    const apiFunction = nodeFunction(this, "Api", {
      entry: "functions/api.ts",
      timeout: Duration.seconds(10),
      environment: {
        HIERARCHICAL_MEMORY_POSTGRESQL_MAX_CONNECTIONS: String(apiPoolSize),
        ...environment,
        ...importSettings,
      },
      reservedConcurrentExecutions: budget > 0 ? Math.floor(budget / apiConnectionsPerContainer) : undefined,
      // The console's page, script and styles: shared/console/assets.ts reads them at import from
      // ./assets beside itself, which in the bundle is beside index.mjs.
      bundling: {
        commandHooks: copyIntoBundle("shared/console/assets", "assets", [
          "console.html",
          "console.js",
          "console.css",
        ]),
      },
    });
    const provisioned = props.provisionedConcurrency ?? 0;
    const apiTarget =
      provisioned > 0
        ? apiFunction.addAlias("live", { provisionedConcurrentExecutions: provisioned })
        : apiFunction;
    this.api = new HttpApi(this, "Http", {
      defaultIntegration: new HttpLambdaIntegration("ApiIntegration", apiTarget),
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, "HttpAccessLogs", { retention: RetentionDays.THREE_MONTHS });
    new HttpStage(this, "HttpStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 1000, burstLimit: 2000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });

    // One at a time each: overlapping runs only add load. A failed run goes to the dead-letter queue.
    const scheduled = (name: string, ruleId: string, entry: string, timeout: Duration, every: Duration) => {
      const fn = nodeFunction(this, name, {
        entry,
        timeout,
        environment,
        reservedConcurrentExecutions: 1,
        deadLetterQueue: deadLetters,
        retryAttempts: 2,
      });
      new Rule(this, ruleId, {
        schedule: Schedule.rate(every),
        targets: [
          new LambdaFunction(fn, {
            deadLetterQueue: deadLetters,
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
          }),
        ],
      });
      return fn;
    };
    // Every minute: the outbox and the erase tasks.
    const reconciler = scheduled(
      "Reconciler",
      "ReconcileSchedule",
      "functions/reconciler.ts",
      Duration.minutes(2),
      Duration.minutes(1),
    );
    // Daily: what no erase task knew of (users the archive does not have) leaves every projection.
    const sweep = scheduled(
      "Sweep",
      "SweepSchedule",
      "functions/sweep.ts",
      Duration.minutes(15),
      Duration.days(1),
    );

    const task = (name: string, handler: string, timeout: Duration) =>
      nodeFunction(this, name, { entry: "functions/migration.ts", handler, timeout, environment });
    this.migration = new MigrationStateMachine(this, "Migration", {
      tasks: {
        plan: task("MigrationPlan", "plan", Duration.minutes(1)),
        // A group is groupSize batches: 20 x 500 records take seconds.
        migrateGroup: task("MigrationGroup", "migrateGroup", Duration.minutes(15)),
        finish: task("MigrationFinish", "finish", Duration.minutes(15)),
        validate: task("MigrationValidate", "validate", Duration.minutes(15)),
      },
      logs: new LogGroup(this, "MigrationLogs", { retention: RetentionDays.THREE_MONTHS }),
    });

    // A file of up to HIERARCHICAL_MEMORY_IMPORT_MAX_OBJECT_BYTES (256 MB) is held as its bytes, its
    // text and its lines at once: room for that, and the CPU that comes with the memory.
    const importTask = (name: string, handler: string, timeout: Duration, memorySize = 3008) =>
      nodeFunction(this, name, {
        entry: "functions/imports.ts",
        handler,
        timeout,
        memorySize,
        environment: { ...environment, ...importSettings },
      });
    this.imports = new ImportStateMachine(this, "Import", {
      tasks: {
        plan: importTask("ImportPlan", "plan", Duration.minutes(5)),
        // A group is 20 batches of 500 lines: seconds, unless the file must be read again first.
        importGroup: importTask("ImportGroup", "importGroup", Duration.minutes(15)),
        finish: importTask("ImportFinish", "finish", Duration.minutes(15)),
        fail: importTask("ImportFail", "fail", Duration.minutes(1), 1024),
      },
      logs: new LogGroup(this, "ImportLogs", { retention: RetentionDays.THREE_MONTHS }),
    });
    // The reconciler launches each import: one execution, named by the import's id.
    reconciler.addEnvironment(
      "HIERARCHICAL_MEMORY_IMPORT_RUNNER",
      importSettings.HIERARCHICAL_MEMORY_IMPORT_RUNNER,
    );
    reconciler.addEnvironment(
      "HIERARCHICAL_MEMORY_IMPORT_STATE_MACHINE_ARN",
      this.imports.stateMachine.stateMachineArn,
    );
    this.imports.stateMachine.grantStartExecution(reconciler);

    // The tiers are prepared (schema migrations, collections, constraints) at deploy, before the
    // functions that use them are created or updated: requests never migrate a schema.
    const schema = nodeFunction(this, "Schema", {
      entry: "functions/schema.ts",
      timeout: Duration.minutes(5),
      environment,
    });
    new Trigger(this, "SchemaOnDeploy", {
      handler: schema,
      timeout: Duration.minutes(5),
      executeOnHandlerChange: true,
      executeBefore: [
        apiFunction,
        reconciler,
        sweep,
        ...Object.values(this.migration.tasks),
        ...Object.values(this.imports.tasks),
      ],
    });

    for (const fn of [
      apiFunction,
      reconciler,
      sweep,
      schema,
      ...Object.values(this.migration.tasks),
      ...Object.values(this.imports.tasks),
    ])
      secret.grantRead(fn);

    const alarms = new MemoryAlarms(this, "Alarms", {
      api: this.api,
      contextDeadlineMs: Number(memoryEnv.HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT ?? 100),
      stateMachine: this.migration.stateMachine,
      deadLetters,
      email: props.alarmEmail,
    });

    new CfnOutput(this, "ApiUrl", { value: this.api.apiEndpoint });
    new CfnOutput(this, "MigrationStateMachineArn", { value: this.migration.stateMachine.stateMachineArn });
    new CfnOutput(this, "ImportStateMachineArn", { value: this.imports.stateMachine.stateMachineArn });
    new CfnOutput(this, "ImportBucketName", { value: this.importFiles.bucket.bucketName });
    new CfnOutput(this, "SecretName", { value: secret.secretName });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: deadLetters.queueUrl });
    new CfnOutput(this, "AlarmTopicArn", { value: alarms.topic.topicArn });
  }
}
