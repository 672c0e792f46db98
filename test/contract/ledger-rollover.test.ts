import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../functions/shared/clock.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { getUserTotals, getUserUsage, readCounters, reserve, settle, type ReserveInput } from '../../functions/shared/ledger/index.js';
import { effectivePolicy } from '../../functions/shared/policy.js';
import { microsToUsd } from '../../functions/shared/pricing.js';
import { ledgerTestDeps, type LedgerTestDeps } from './ledger-deps.js';

/** Simulator worst case for 1000 input + 1000 output tokens. */
const WORST_CASE_MICROS = 6250;
/** Two worst-case turns a day, three a month. */
const policy = effectivePolicy(['users'], {
  dailyLimitUsd: microsToUsd(2 * WORST_CASE_MICROS),
  monthlyLimitUsd: microsToUsd(3 * WORST_CASE_MICROS),
  maxOutputTokens: 1000,
  requestsPerMinute: 100,
});

describe('day and month rollovers', () => {
  const clock = manualClock('2025-01-30T23:58:00Z');
  let setup: LedgerTestDeps;
  beforeAll(async () => {
    setup = await ledgerTestDeps(clock);
  });
  afterAll(() => setup?.close());
  const turn = (userId: string, requestId: string): ReserveInput => ({ userId, requestId, modelId: SIMULATOR_MODEL_ID, inputTokensEstimate: 1000, maxOutputTokens: 1000, policy });

  it('resets the day budget at UTC midnight and the month budget on the 1st', async () => {
    // Prepare: spend the day on Jan 30.
    const userId = 'u-roll';
    expect((await reserve(setup.deps, turn(userId, 'jan30-a'))).ok).toBe(true);
    expect((await reserve(setup.deps, turn(userId, 'jan30-b'))).ok).toBe(true);
    const dayRefused = await reserve(setup.deps, turn(userId, 'jan30-c'));

    // Act: two minutes later it is Jan 31 — a new day, the same month.
    clock.advance(2 * 60_000);
    const newDay = await reserve(setup.deps, turn(userId, 'jan31-a'));
    const monthRefused = await reserve(setup.deps, turn(userId, 'jan31-b'));
    clock.set('2025-02-01T00:00:01Z');
    const newMonth = await reserve(setup.deps, turn(userId, 'feb01-a'));

    // Assess
    expect(dayRefused).toMatchObject({ ok: false, error: { code: 'BudgetExceeded', scope: 'day', period: '2025-01-30', resetsAt: '2025-01-31T00:00:00.000Z', remainingUsd: 0 } });
    expect(newDay).toMatchObject({ ok: true, reservation: { day: '2025-01-31', month: '2025-01' } });
    expect(monthRefused).toMatchObject({ ok: false, error: { code: 'BudgetExceeded', scope: 'month', period: '2025-01', resetsAt: '2025-02-01T00:00:00.000Z' } });
    expect(newMonth).toMatchObject({ ok: true, reservation: { day: '2025-02-01', month: '2025-02' } });
  });

  it('counts a turn that settles after midnight in the day and month it started', async () => {
    // Prepare: admitted at 23:59:30 on the last day of February.
    const userId = 'u-midnight';
    clock.set('2025-02-28T23:59:30Z');
    const started = await reserve(setup.deps, turn(userId, 'late-night'));
    if (!started.ok) throw new Error(started.error.message);

    // Act: it ends in March.
    clock.set('2025-03-01T00:00:20Z');
    await settle(setup.deps, { userId, requestId: 'late-night', usage: { inputTokens: 500, outputTokens: 100 }, outcome: 'completed' });

    // Assess: February holds the cost and no reserve; March starts clean.
    const february = await readCounters(setup.deps, userId, new Date('2025-02-28T12:00:00Z'));
    expect(february.day).toMatchObject({ spentMicros: 1000, reservedMicros: 0 });
    expect(february.month).toMatchObject({ spentMicros: 1000, reservedMicros: 0 });
    const march = await getUserUsage(setup.deps, { userId, policy });
    expect(march.day).toMatchObject({ period: '2025-03-01', spentUsd: 0, reservedUsd: 0, remainingUsd: microsToUsd(2 * WORST_CASE_MICROS), resetsAt: '2025-03-02T00:00:00.000Z' });
    expect(march.month).toMatchObject({ period: '2025-03', spentUsd: 0, resetsAt: '2025-04-01T00:00:00.000Z' });
    const { rows } = await getUserTotals(setup.deps, { userId, from: '2025-02-28', to: '2025-03-01' });
    expect(rows.map((r) => r.day)).toEqual(['2025-02-28']);
  });

  it('shows spent, reserved, limits and reset times in myUsage', async () => {
    // Prepare
    const userId = 'u-usage';
    clock.set('2025-04-15T08:30:10Z');
    await reserve(setup.deps, turn(userId, 'usage-open'));
    await reserve(setup.deps, turn(userId, 'usage-done'));
    await settle(setup.deps, { userId, requestId: 'usage-done', usage: { inputTokens: 1000, outputTokens: 200 }, outcome: 'completed' });
    // Act
    const usage = await getUserUsage(setup.deps, { userId, policy });
    // Assess
    expect(usage).toMatchObject({
      userId,
      group: 'users',
      overridden: true,
      day: { period: '2025-04-15', limitUsd: 0.0125, spentUsd: 0.002, reservedUsd: 0.00625, remainingUsd: 0.00425, resetsAt: '2025-04-16T00:00:00.000Z', requests: 2 },
      month: { period: '2025-04', limitUsd: 0.01875, spentUsd: 0.002, reservedUsd: 0.00625, resetsAt: '2025-05-01T00:00:00.000Z' },
      requestsPerMinute: 100,
      rateWindowResetsAt: '2025-04-15T08:31:00.000Z',
    });
  });
});
