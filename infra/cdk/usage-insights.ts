import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ALL_MODELS_TTFT_METRIC, METRIC, METRICS_NAMESPACE, USER_ID_METADATA_KEY } from './metrics.js';

export interface UsageInsightsProps {
  /** Log groups the functions write their EMF lines to. */
  logGroups: logs.ILogGroup[];
}

/** A ranking of users: which EMF field is summed per user id. */
export interface UserRanking {
  /** Suffix of the rule name, e.g. `top-users-cost`. */
  suffix: string;
  title: string;
  /** EMF metric field summed per user. */
  valueOf: string;
}

/** The per-user rankings; users are EMF metadata, never a metric dimension (docs/budgets.md, metrics). */
export const USER_RANKINGS: readonly UserRanking[] = [
  { suffix: 'top-users-cost', title: 'Top spenders (USD)', valueOf: METRIC.COST_USD },
  { suffix: 'top-users-output-tokens', title: 'Top users by output tokens', valueOf: METRIC.OUTPUT_TOKENS },
  { suffix: 'top-users-budget-denials', title: 'Top users by budget denials', valueOf: METRIC.BUDGET_DENIALS },
];

/** The JSON body of a Contributor Insights rule ranking users by `valueOf` over EMF logs. */
export function userRankingRuleBody(logGroupNames: string[], valueOf: string): Record<string, unknown> {
  return {
    Schema: { Name: 'CloudWatchLogRule', Version: 1 },
    LogGroupNames: logGroupNames,
    LogFormat: 'JSON',
    Contribution: {
      Keys: [`$.${USER_ID_METADATA_KEY}`],
      ValueOf: `$.${valueOf}`,
      Filters: [{ Match: `$.${valueOf}`, IsPresent: true }],
    },
    AggregateOn: 'Sum',
  };
}

/**
 * Per-user views over the functions' EMF logs, which no metric has because a user
 * dimension would cost more than the tokens: Contributor Insights rules keyed on the
 * EMF user id, plus a metric filter deriving one all-models time-to-first-token metric
 * (percentile alarms cannot SEARCH across the per-model series).
 *
 * @example
 * ```ts
 * const insights = new UsageInsights(this, 'Insights', { logGroups: [...functions.logGroups.values()] });
 * insights.rules; // [{ ruleName, title }]
 * ```
 */
export class UsageInsights extends Construct {
  readonly rules: { ruleName: string; title: string }[] = [];
  /** Time to first token across all models, in milliseconds. */
  readonly timeToFirstToken: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: UsageInsightsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.timeToFirstToken = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: ALL_MODELS_TTFT_METRIC,
      unit: cloudwatch.Unit.MILLISECONDS,
    });
    if (props.logGroups.length === 0) return;
    for (const ranking of USER_RANKINGS) {
      const ruleName = `${stack.stackName}-${ranking.suffix}`;
      new cloudwatch.CfnInsightRule(this, `Rule${ranking.suffix.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`, {
        ruleName,
        ruleState: 'ENABLED',
        ruleBody: stack.toJsonString(userRankingRuleBody(props.logGroups.map((g) => g.logGroupName), ranking.valueOf)),
      });
      this.rules.push({ ruleName, title: ranking.title });
    }
    props.logGroups.forEach((logGroup, index) => {
      new logs.MetricFilter(this, `TimeToFirstTokenFilter${index}`, {
        logGroup,
        filterPattern: logs.FilterPattern.exists(`$.${METRIC.TIME_TO_FIRST_TOKEN}`),
        metricNamespace: METRICS_NAMESPACE,
        metricName: ALL_MODELS_TTFT_METRIC,
        metricValue: `$.${METRIC.TIME_TO_FIRST_TOKEN}`,
        unit: cloudwatch.Unit.MILLISECONDS,
      });
    });
  }
}

/** A dashboard widget showing a Contributor Insights rule's top contributors (no L2 exists). */
export class ContributorInsightsWidget extends cloudwatch.ConcreteWidget {
  constructor(
    private readonly ruleName: string,
    private readonly title: string,
    private readonly region: string,
  ) {
    super(12, 6);
  }

  toJson(): unknown[] {
    return [
      {
        type: 'metric',
        width: this.width,
        height: this.height,
        x: this.x,
        y: this.y,
        properties: {
          title: this.title,
          region: this.region,
          view: 'timeSeries',
          stacked: false,
          period: 300,
          insightRule: { ruleName: this.ruleName, maxContributorCount: 10, orderBy: 'Sum' },
          legend: { position: 'right' },
        },
      },
    ];
  }
}
