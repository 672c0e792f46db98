/**
 * The metrics contract between the functions (Powertools Metrics, EMF) and the cloud's
 * dashboard, alarms and Contributor Insights rules. The functions emit these names in
 * namespace {@link METRICS_NAMESPACE}; the stack only reads them.
 *
 * @example
 * ```ts
 * import { METRIC, METRICS_NAMESPACE } from './metrics.js';
 * new cloudwatch.MathExpression({ expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${METRIC.OUTPUT_TOKENS}"', 'Sum', 300)` });
 * ```
 */

import { MetricName, METRICS_NAMESPACE } from '../../functions/shared/metrics.js';

/** CloudWatch namespace of every Sluice metric; the functions' own constant, so the two cannot drift. */
export { METRICS_NAMESPACE };

/** Metric names the functions emit (functions/shared/metrics.ts), in the stack's spelling. */
export const METRIC = {
  INPUT_TOKENS: MetricName.InputTokens,
  OUTPUT_TOKENS: MetricName.OutputTokens,
  COST_USD: MetricName.CostUsd,
  TIME_TO_FIRST_TOKEN: MetricName.TimeToFirstToken,
  STREAM_DURATION: MetricName.StreamDuration,
  THROTTLES: MetricName.Throttles,
  BUDGET_DENIALS: MetricName.BudgetDenials,
  CANCELS: MetricName.Cancels,
  FAILURES: MetricName.Failures,
  UNDELIVERED_STREAMS: MetricName.UndeliveredStreams,
} as const;
export type { MetricName };

/** The bounded dimension the per-model series are split by. */
export const MODEL_DIMENSION = 'model';

/**
 * EMF metadata key (a top-level JSON field, not a dimension) carrying the caller's Cognito
 * `sub`; Contributor Insights ranks users by it.
 */
export const USER_ID_METADATA_KEY = 'userId';

/**
 * Derived metric (no dimensions) that metric filters publish from every function's EMF
 * lines, so one p99 alarm covers all models without knowing their dimension values.
 */
export const ALL_MODELS_TTFT_METRIC = 'TimeToFirstTokenAllModels';
