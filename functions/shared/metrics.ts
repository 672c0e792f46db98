/**
 * Powertools Metrics (EMF) and Logger for the gateway's functions.
 *
 * Metrics go out in namespace `Sluice` with bounded dimensions only: `service`, `model`
 * (a configured model id or `other`) and `group` (a configured policy group or `none`).
 * The user id and request id travel as EMF metadata: searchable in CloudWatch Logs
 * Insights and Contributor Insights, but never a dimension, because every distinct
 * dimension value is a billed custom metric.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GROUP_POLICIES } from './config.js';
import { type TokenUsage } from './pricing.js';
import { findModel } from '../../schema/models.js';
import { NO_GROUP } from './policy.js';

/** The CloudWatch namespace every Sluice metric is in. */
export const METRICS_NAMESPACE = 'Sluice';
/** The `service` dimension and the Logger's service name. */
export const SERVICE_NAME = 'sluice';
/** The dimension value of a model or group outside the configuration (keeps cardinality bounded). */
export const OTHER_DIMENSION_VALUE = 'other';

/** Metric names, with their units in {@link METRIC_UNITS}. */
export const MetricName = {
  Turns: 'Turns',
  InputTokens: 'InputTokens',
  OutputTokens: 'OutputTokens',
  CacheReadInputTokens: 'CacheReadInputTokens',
  CacheWriteInputTokens: 'CacheWriteInputTokens',
  CostUsd: 'CostUsd',
  TimeToFirstToken: 'TimeToFirstToken',
  StreamDuration: 'StreamDuration',
  Cancels: 'Cancels',
  Failures: 'Failures',
  Throttles: 'Throttles',
  BudgetDenials: 'BudgetDenials',
  RateLimitDenials: 'RateLimitDenials',
  ModelDenials: 'ModelDenials',
  /** Turns whose stream events could not all be published, after retries: subscribers missed them. */
  UndeliveredStreams: 'UndeliveredStreams',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** The unit of each metric (CloudWatch has no currency unit, so USD is `None`). */
export const METRIC_UNITS: Readonly<Record<MetricName, (typeof MetricUnit)[keyof typeof MetricUnit]>> = {
  Turns: MetricUnit.Count,
  InputTokens: MetricUnit.Count,
  OutputTokens: MetricUnit.Count,
  CacheReadInputTokens: MetricUnit.Count,
  CacheWriteInputTokens: MetricUnit.Count,
  CostUsd: MetricUnit.NoUnit,
  TimeToFirstToken: MetricUnit.Milliseconds,
  StreamDuration: MetricUnit.Milliseconds,
  Cancels: MetricUnit.Count,
  Failures: MetricUnit.Count,
  Throttles: MetricUnit.Count,
  BudgetDenials: MetricUnit.Count,
  RateLimitDenials: MetricUnit.Count,
  ModelDenials: MetricUnit.Count,
  UndeliveredStreams: MetricUnit.Count,
};

/** The only dimension names Sluice emits. */
export const DIMENSION_NAMES = ['service', 'model', 'group'] as const;

/**
 * The metrics instance (one per process). Every record* call adds, publishes and clears in
 * one synchronous step, so concurrent turns in one process (the twin) never mix dimensions.
 */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/** The root logger; use {@link turnLogger} inside a turn. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/** Who and what a turn is, for logs and metric metadata. */
export interface TurnIdentity {
  requestId: string;
  userId: string;
  modelId: string;
  /** The user's policy group (EffectivePolicy.group). */
  group: string;
}

/**
 * A child logger whose every line carries the request id, user and model.
 * @example
 * const log = turnLogger({ requestId, userId, modelId, group });
 * log.info('stream started');
 */
export function turnLogger(turn: TurnIdentity): Logger {
  return logger.createChild({ persistentKeys: { requestId: turn.requestId, userId: turn.userId, modelId: turn.modelId, group: turn.group } });
}

/**
 * Bounded dimension values for a turn: a configured model id and policy group, or
 * `other`/`none` for anything else.
 * @example
 * boundedDimensions('us.amazon.nova-lite-v1:0', 'users'); // { model: 'amazon.nova-lite-v1:0', group: 'users' }
 */
export function boundedDimensions(modelId: string, group: string): { model: string; group: string } {
  return {
    model: findModel(modelId)?.id ?? OTHER_DIMENSION_VALUE,
    group: Object.hasOwn(GROUP_POLICIES, group) ? group : group === NO_GROUP ? NO_GROUP : OTHER_DIMENSION_VALUE,
  };
}

/** What the streaming Lambda knows at the end of a turn. */
export interface TurnMetrics extends TurnIdentity {
  outcome: 'completed' | 'cancelled' | 'failed';
  usage: TokenUsage;
  costUsd: number;
  /** Undefined when no token arrived. */
  timeToFirstTokenMs?: number;
  durationMs: number;
  /** Bedrock ThrottlingExceptions the turn met (retried or not). @default 0 */
  throttles?: number;
  /** False when publishes still failed after their retries. @default true */
  streamDelivered?: boolean;
}

/**
 * Emits one EMF record for a finished turn.
 * @example
 * recordTurnMetrics({ requestId, userId, modelId, group, outcome: 'completed', usage, costUsd, timeToFirstTokenMs: 240, durationMs: 3100 });
 */
export function recordTurnMetrics(turn: TurnMetrics): void {
  publish(turn, (add) => {
    add('Turns', 1);
    add('InputTokens', turn.usage.inputTokens);
    add('OutputTokens', turn.usage.outputTokens);
    add('CacheReadInputTokens', turn.usage.cacheReadInputTokens ?? 0);
    add('CacheWriteInputTokens', turn.usage.cacheWriteInputTokens ?? 0);
    add('CostUsd', turn.costUsd);
    if (turn.timeToFirstTokenMs !== undefined) add('TimeToFirstToken', turn.timeToFirstTokenMs);
    add('StreamDuration', turn.durationMs);
    add('Cancels', turn.outcome === 'cancelled' ? 1 : 0);
    add('Failures', turn.outcome === 'failed' ? 1 : 0);
    add('Throttles', turn.throttles ?? 0);
    add('UndeliveredStreams', turn.streamDelivered === false ? 1 : 0);
  });
}

/** Admission refusals, by error code. */
const DENIAL_METRICS = { BudgetExceeded: 'BudgetDenials', RateLimited: 'RateLimitDenials', ModelNotAllowed: 'ModelDenials' } as const;

/**
 * Emits one denial (budget, rate or model) for a refused turn.
 * @example
 * if (!result.ok) recordDenial({ requestId, userId, modelId, group: policy.group }, result.error.code);
 */
export function recordDenial(turn: TurnIdentity, code: keyof typeof DENIAL_METRICS): void {
  publish(turn, (add) => add(DENIAL_METRICS[code], 1));
}

/**
 * Emits a Bedrock throttle met outside a finished turn (e.g. the turn then failed).
 * @example
 * recordThrottle({ requestId, userId, modelId, group });
 */
export function recordThrottle(turn: TurnIdentity): void {
  publish(turn, (add) => add('Throttles', 1));
}

function publish(turn: TurnIdentity, fill: (add: (name: MetricName, value: number) => void) => void): void {
  metrics.addDimensions(boundedDimensions(turn.modelId, turn.group));
  fill((name, value) => metrics.addMetric(name, METRIC_UNITS[name], value));
  metrics.addMetadata('userId', turn.userId);
  metrics.addMetadata('requestId', turn.requestId);
  metrics.publishStoredMetrics();
}
