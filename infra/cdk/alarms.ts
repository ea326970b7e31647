/**
 * What an operator is paged for: API 5xx above 1% of requests, API p99 latency over the context
 * deadline, any failed migration execution, anything in the dead-letter queue. Notifications go to an
 * SNS topic (encrypted, TLS only), and to an e-mail address when one is given.
 */
import { Duration } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Alias } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";

export interface MemoryAlarmsProps {
  api: HttpApi;
  contextDeadlineMs: number;
  stateMachine: StateMachine;
  deadLetters: Queue;
  email?: string;
}

export class MemoryAlarms extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: MemoryAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, "Topic", {
      enforceSSL: true,
      masterKey: Alias.fromAliasName(this, "SnsKey", "alias/aws/sns"),
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    const period = Duration.minutes(5);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string) =>
      new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(new SnsAction(this.topic));

    alarm(
      "Api5xxRate",
      new MathExpression({
        expression: "100 * errors / MAX([requests, 1])",
        usingMetrics: {
          errors: props.api.metricServerError({ period, statistic: "Sum" }),
          requests: props.api.metricCount({ period, statistic: "Sum" }),
        },
        period,
        label: "5xx % of requests",
      }),
      1,
      "More than 1% of API requests answered 5xx over 5 minutes",
    );
    alarm(
      "ApiLatencyP99",
      props.api.metricLatency({ period, statistic: "p99" }),
      props.contextDeadlineMs,
      `API p99 latency reached the context deadline (${props.contextDeadlineMs} ms) over 5 minutes`,
    );
    alarm(
      "MigrationFailed",
      props.stateMachine.metricFailed({ period, statistic: "Sum" }),
      1,
      "A migration execution failed (incomplete or rolled back): see its report, resume or start again",
    );
    alarm(
      "DeadLetters",
      props.deadLetters.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum" }),
      1,
      "Scheduled work (the outbox reconciler or the orphan sweep) failed after its retries",
    );
  }
}
