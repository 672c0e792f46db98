/**
 * The platform lines Lambda writes around each invocation in CloudWatch Logs.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-view.html
 */

export interface ReportFigures {
  requestId: string;
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Only on the invocation that started the environment (a cold start). */
  initDurationMs?: number;
  /** `timeout` or `error` when the environment ended with the invocation. */
  status?: 'timeout' | 'error';
}

export const startLine = (requestId: string, version = '$LATEST') => `START RequestId: ${requestId} Version: ${version}`;

export const endLine = (requestId: string) => `END RequestId: ${requestId}`;

/** Lambda bills each invocation in whole milliseconds, rounded up. */
export function reportLine(figures: ReportFigures): string {
  const parts = [
    `REPORT RequestId: ${figures.requestId}`,
    `Duration: ${figures.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(figures.durationMs))} ms`,
    `Memory Size: ${figures.memorySizeMb} MB`,
    `Max Memory Used: ${Math.min(figures.maxMemoryUsedMb, figures.memorySizeMb)} MB`,
  ];
  if (figures.initDurationMs !== undefined) parts.push(`Init Duration: ${figures.initDurationMs.toFixed(2)} ms`);
  if (figures.status) parts.push(`Status: ${figures.status}`);
  return parts.join('\t');
}
