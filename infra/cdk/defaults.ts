/**
 * Defaults the Sluice stack applies to every resource of a kind. Kept apart from the wiring
 * so a reviewer sees the choices in one place.
 *
 * @example
 * ```ts
 * import { LOG_RETENTION } from './defaults.js';
 * new logs.LogGroup(this, 'Logs', { retention: LOG_RETENTION });
 * ```
 */
import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Lambda runtime of every function, as docs/deploy.md lists it. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;
/** Graviton: cheaper per GB-second than x86 for the same Node code. */
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;
/** How long function, API and deployment logs are kept. */
export const LOG_RETENTION = RetentionDays.ONE_MONTH;
/** Dashboard and alarm period. */
export const METRIC_PERIOD = Duration.minutes(5);
/** Budget denials per period above which the spike alarm fires. */
export const BUDGET_DENIALS_SPIKE_THRESHOLD = 50;
/** p99 time to first token above which the latency alarm fires, in milliseconds. */
export const TTFT_P99_THRESHOLD_IN_MS = 3_000;
