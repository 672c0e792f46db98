import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { pascal } from './auth.js';
import { BUDGET_DENIALS_SPIKE_THRESHOLD, METRIC_PERIOD, TTFT_P99_THRESHOLD_IN_MS } from './defaults.js';
import { METRIC, METRICS_NAMESPACE, MODEL_DIMENSION, type MetricName } from './metrics.js';
import { ContributorInsightsWidget, UsageInsights } from './usage-insights.js';

export interface SluiceMonitoringProps {
  functions: ReadonlyMap<string, IFunction>;
  logGroups: logs.ILogGroup[];
  graphqlApi: GraphqlApi;
  /** Where alarm notifications go; no subscription when absent. */
  alarmEmail?: string;
}

/** A SEARCH over every dimension set of a Sluice metric, split by model where it has one. */
function searchByModel(metricName: MetricName, statistic: string, label: string): cloudwatch.MathExpression {
  const seconds = METRIC_PERIOD.toSeconds();
  return new cloudwatch.MathExpression({
    expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}" ${MODEL_DIMENSION}', '${statistic}', ${seconds})`,
    label,
    period: METRIC_PERIOD,
    usingMetrics: {},
  });
}

/**
 * A Metrics Insights query summing one Sluice metric over every dimension set, so an alarm
 * covers all models and groups without enumerating them.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-alarms.html
 */
function totalOf(metricName: MetricName, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SELECT SUM(${metricName}) FROM "${METRICS_NAMESPACE}"`,
    label,
    period: METRIC_PERIOD,
    usingMetrics: {},
  });
}

/**
 * The operator's view: a CloudWatch dashboard (tokens and cost by model, time to first token
 * p50/p90/p99, errors, throttles, budget denials, top users) and alarms on errors,
 * throttles, a budget-denial spike and p99 time to first token, notifying an SNS topic.
 *
 * @example
 * ```ts
 * new SluiceMonitoring(this, 'Monitoring', { functions: fns.byName, logGroups, graphqlApi, alarmEmail: 'ops@example.com' });
 * ```
 */
export class SluiceMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: SluiceMonitoringProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const insights = new UsageInsights(this, 'Insights', { logGroups: props.logGroups });
    const ttft = insights.timeToFirstToken.with({ period: METRIC_PERIOD });
    const appSyncMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/AppSync',
        metricName,
        dimensionsMap: { GraphQLAPIId: props.graphqlApi.apiId },
        statistic: 'Sum',
        period: METRIC_PERIOD,
      });
    const functions = [...props.functions];

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Tokens by model',
            left: [searchByModel(METRIC.INPUT_TOKENS, 'Sum', 'input'), searchByModel(METRIC.OUTPUT_TOKENS, 'Sum', 'output')],
            width: 12,
          }),
          new cloudwatch.GraphWidget({ title: 'Cost by model (USD)', left: [searchByModel(METRIC.COST_USD, 'Sum', 'USD')], width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Time to first token, all models (ms)',
            left: ['p50', 'p90', 'p99'].map((statistic) => ttft.with({ statistic, label: statistic })),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Time to first token p99 by model (ms)',
            left: [searchByModel(METRIC.TIME_TO_FIRST_TOKEN, 'p99', 'p99')],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Errors',
            left: [
              ...functions.map(([name, fn]) => fn.metricErrors({ period: METRIC_PERIOD, label: `${name} errors` })),
              appSyncMetric('5XXError').with({ label: 'GraphQL 5XX' }),
              appSyncMetric('4XXError').with({ label: 'GraphQL 4XX' }),
              searchByModel(METRIC.FAILURES, 'Sum', 'failed turns'),
              searchByModel(METRIC.UNDELIVERED_STREAMS, 'Sum', 'undelivered streams'),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Throttles',
            left: [
              ...functions.map(([name, fn]) => fn.metricThrottles({ period: METRIC_PERIOD, label: `${name} Lambda throttles` })),
              searchByModel(METRIC.THROTTLES, 'Sum', 'Bedrock throttles'),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Budget denials and cancels',
            left: [searchByModel(METRIC.BUDGET_DENIALS, 'Sum', 'denials'), searchByModel(METRIC.CANCELS, 'Sum', 'cancels')],
            width: 8,
          }),
        ],
        insights.rules.map((rule) => new ContributorInsightsWidget(rule.ruleName, rule.title, region)),
      ],
    });

    this.topic = new sns.Topic(this, 'AlarmTopic', { enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const alarm = (alarmId: string, options: cloudwatch.CreateAlarmOptions, metric: cloudwatch.Metric | cloudwatch.MathExpression) => {
      const created = metric.createAlarm(this, alarmId, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...options });
      created.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(created);
    };
    for (const [name, fn] of functions) {
      alarm(`${pascal(name)}Errors`, { threshold: 1, evaluationPeriods: 1, alarmDescription: `${name} failed` }, fn.metricErrors({ period: METRIC_PERIOD }));
      alarm(
        `${pascal(name)}Throttles`,
        { threshold: 1, evaluationPeriods: 1, alarmDescription: `${name} was throttled by Lambda` },
        fn.metricThrottles({ period: METRIC_PERIOD }),
      );
    }
    alarm('GraphqlServerErrors', { threshold: 1, evaluationPeriods: 1, alarmDescription: 'The GraphQL API returned 5XX' }, appSyncMetric('5XXError'));
    alarm(
      'BedrockThrottles',
      { threshold: 1, evaluationPeriods: 1, alarmDescription: 'Bedrock throttled generations (all models)' },
      totalOf(METRIC.THROTTLES, 'Bedrock throttles'),
    );
    alarm(
      'BudgetDenialsSpike',
      { threshold: BUDGET_DENIALS_SPIKE_THRESHOLD, evaluationPeriods: 1, alarmDescription: 'Unusually many turns denied for budget' },
      totalOf(METRIC.BUDGET_DENIALS, 'Budget denials'),
    );
    alarm(
      'TimeToFirstTokenP99',
      {
        threshold: TTFT_P99_THRESHOLD_IN_MS,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        alarmDescription: `p99 time to first token above ${TTFT_P99_THRESHOLD_IN_MS} ms`,
      },
      ttft.with({ statistic: 'p99' }),
    );
    new CfnOutput(scope, 'DashboardName', { value: this.dashboard.dashboardName });
    new CfnOutput(scope, 'AlarmTopicArn', { value: this.topic.topicArn });
  }
}
