import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { DIMENSION_NAMES, METRICS_NAMESPACE, recordDenial, recordThrottle, recordTurnMetrics, turnLogger } from '../../functions/shared/metrics.js';

interface EmfRecord {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** Captures what the process writes to stdout (where Powertools prints EMF and logs). */
function captureStdout() {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

const emfRecords = (lines: string[]) => lines.map((l) => JSON.parse(l) as EmfRecord).filter((r) => r._aws !== undefined);

const turn = { requestId: 'req-123', userId: 'user-4f1c', modelId: `us.${'anthropic.claude-3-5-haiku-20241022-v1:0'}`, group: 'users' };

describe('EMF metrics', () => {
  let capture: ReturnType<typeof captureStdout>;
  beforeEach(() => {
    capture = captureStdout();
  });
  afterEach(() => capture.restore());

  it('emits a turn as EMF in namespace Sluice with the documented names and units', () => {
    // Act
    recordTurnMetrics({ ...turn, outcome: 'cancelled', usage: { inputTokens: 120, outputTokens: 45, cacheReadInputTokens: 900, cacheWriteInputTokens: 0 }, costUsd: 0.000342, timeToFirstTokenMs: 210, durationMs: 1800 });
    // Assess
    const [record] = emfRecords(capture.lines);
    const directive = record._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(Object.fromEntries(directive.Metrics.map((m) => [m.Name, m.Unit]))).toEqual({
      Turns: 'Count',
      InputTokens: 'Count',
      OutputTokens: 'Count',
      CacheReadInputTokens: 'Count',
      CacheWriteInputTokens: 'Count',
      CostUsd: 'None',
      TimeToFirstToken: 'Milliseconds',
      StreamDuration: 'Milliseconds',
      Cancels: 'Count',
      Failures: 'Count',
      Throttles: 'Count',
      UndeliveredStreams: 'Count',
    });
    expect(record).toMatchObject({ InputTokens: 120, OutputTokens: 45, CacheReadInputTokens: 900, CostUsd: 0.000342, TimeToFirstToken: 210, Cancels: 1, Failures: 0 });
  });

  it('uses only bounded dimensions and carries the user id as metadata', () => {
    // Act
    recordTurnMetrics({ ...turn, outcome: 'completed', usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0.000006, durationMs: 10 });
    recordDenial(turn, 'BudgetExceeded');
    recordThrottle(turn);
    // Assess
    const records = emfRecords(capture.lines);
    expect(records).toHaveLength(3);
    for (const record of records) {
      const dimensionNames = record._aws.CloudWatchMetrics[0].Dimensions.flat();
      expect(new Set(dimensionNames)).toEqual(new Set(DIMENSION_NAMES));
      expect(dimensionNames.map((name) => record[name])).not.toContain(turn.userId);
      expect(record).toMatchObject({ model: 'anthropic.claude-3-5-haiku-20241022-v1:0', group: 'users', service: 'sluice', userId: turn.userId, requestId: turn.requestId });
    }
    expect(records[1]).toMatchObject({ BudgetDenials: 1 });
    expect(records[2]).toMatchObject({ Throttles: 1 });
  });

  it('folds unknown models and groups into bounded values', () => {
    // Act
    recordDenial({ ...turn, modelId: 'acme.free-text-model', group: 'team-of-user-4f1c' }, 'ModelNotAllowed');
    // Assess
    const [record] = emfRecords(capture.lines);
    expect(record).toMatchObject({ model: 'other', group: 'other', ModelDenials: 1 });
  });

  it('does not mix dimensions between turns recorded back to back', () => {
    // Act
    recordDenial({ ...turn, modelId: SIMULATOR_MODEL_ID, group: 'admins' }, 'RateLimited');
    recordDenial(turn, 'RateLimited');
    // Assess
    const [first, second] = emfRecords(capture.lines);
    expect(first).toMatchObject({ model: SIMULATOR_MODEL_ID, group: 'admins', RateLimitDenials: 1 });
    expect(second).toMatchObject({ model: 'anthropic.claude-3-5-haiku-20241022-v1:0', group: 'users' });
  });

  it('writes structured logs with the request id, user and model', () => {
    // Act
    turnLogger(turn).info('stream started');
    // Assess
    const log = capture.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'stream started');
    expect(log).toMatchObject({ level: 'INFO', service: 'sluice', requestId: 'req-123', userId: 'user-4f1c', modelId: turn.modelId });
  });
});
