import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../functions/shared/clock.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { readCounters, reserve, settle, getUserTotals, type Reservation, type Settlement } from '../../functions/shared/ledger/index.js';
import { effectivePolicy } from '../../functions/shared/policy.js';
import { microsToUsd } from '../../functions/shared/pricing.js';
import { ledgerTestDeps, type LedgerTestDeps } from './ledger-deps.js';

const TURNS = 100;
const INPUT_ESTIMATE = 1000;
const MAX_OUTPUT = 1000;
/** The simulator's worst case for one turn: 1000 input tokens at the $1.25/M cache-write price + 1000 output tokens at $5/M. */
const WORST_CASE_MICROS = 6250;
const AFFORDABLE_TURNS = 10;

describe('the ledger under concurrency', () => {
  const clock = manualClock('2025-03-14T12:00:00Z');
  let setup: LedgerTestDeps;
  beforeAll(async () => {
    setup = await ledgerTestDeps(clock);
  });
  afterAll(() => setup?.close());

  it('admits exactly the turns the budget covers when 100 start at once, and the ledger adds up to the cent', async () => {
    // Prepare: a daily budget of exactly ten worst-case turns.
    const { deps } = setup;
    const policy = effectivePolicy(['users'], {
      dailyLimitUsd: microsToUsd(WORST_CASE_MICROS * AFFORDABLE_TURNS),
      monthlyLimitUsd: 100,
      maxOutputTokens: MAX_OUTPUT,
      requestsPerMinute: 1000,
    });
    const userId = 'user-concurrent';

    // Act: 100 admissions at once.
    const results = await Promise.all(
      Array.from({ length: TURNS }, (_, i) =>
        reserve(deps, { userId, requestId: `burst-${i}`, modelId: SIMULATOR_MODEL_ID, inputTokensEstimate: INPUT_ESTIMATE, maxOutputTokens: MAX_OUTPUT, policy }),
      ),
    );

    // Assess: ten admitted, ninety refused with BudgetExceeded, never more than the budget held.
    const admitted = results.flatMap((r) => (r.ok ? [r.reservation] : []));
    const denied = results.flatMap((r) => (r.ok ? [] : [r.error]));
    expect(admitted).toHaveLength(AFFORDABLE_TURNS);
    expect(admitted.every((r) => r.reservedMicros === WORST_CASE_MICROS)).toBe(true);
    expect(denied).toHaveLength(TURNS - AFFORDABLE_TURNS);
    expect(new Set(denied.map((e) => e.code))).toEqual(new Set(['BudgetExceeded']));
    for (const error of denied) {
      if (error.code !== 'BudgetExceeded') continue;
      expect(error).toMatchObject({ scope: 'day', period: '2025-03-14', resetsAt: '2025-03-15T00:00:00.000Z', requiredUsd: microsToUsd(WORST_CASE_MICROS) });
      expect(error.remainingUsd).toBeLessThan(error.requiredUsd);
    }
    const held = await readCounters(deps, userId, clock.now());
    expect(held.day.reservedMicros).toBe(WORST_CASE_MICROS * AFFORDABLE_TURNS);
    expect(held.day.usedMicros).toBeLessThanOrEqual(WORST_CASE_MICROS * AFFORDABLE_TURNS);

    // Act: settle every admitted turn with its own usage, all at once.
    const settlements = await Promise.all(admitted.map((reservation, i) => settle(deps, { userId: reservation.userId, requestId: reservation.requestId, usage: usageFor(reservation, i), outcome: outcomeFor(i) })));

    // Assess: the ledger equals the sum of the end events' costUsd to the cent, and nothing stays reserved.
    const settled: Settlement[] = settlements.map((s) => {
      if (!s.ok) throw new Error(s.error.message);
      return s.settlement;
    });
    const endEventCostsUsd = settled.map((s) => s.costUsd);
    const { total } = await getUserTotals(deps, { userId, from: '2025-03-14', to: '2025-03-14' });
    expect(total.requests).toBe(AFFORDABLE_TURNS);
    expect(total.costMicros).toBe(settled.reduce((sum, s) => sum + s.costMicros, 0));
    expect(Math.round(total.costUsd * 100)).toBe(Math.round(endEventCostsUsd.reduce((a, b) => a + b, 0) * 100));
    const after = await readCounters(deps, userId, clock.now());
    expect(after.day.reservedMicros).toBe(0);
    expect(after.day.spentMicros).toBe(total.costMicros);
    expect(after.month.spentMicros).toBe(total.costMicros);
    expect(after.day.spentMicros).toBeLessThanOrEqual(WORST_CASE_MICROS * AFFORDABLE_TURNS);
  });
});

/** A distinct, plausible usage per turn within its reservation (cache tokens included). */
function usageFor(reservation: Reservation, i: number) {
  const cacheReadInputTokens = 40 * i;
  const cacheWriteInputTokens = i % 3 === 0 ? 100 : 0;
  return {
    inputTokens: reservation.inputTokensEstimate - cacheReadInputTokens - cacheWriteInputTokens - 7 * i,
    outputTokens: 37 * i + 11,
    cacheReadInputTokens,
    cacheWriteInputTokens,
  };
}

function outcomeFor(i: number) {
  return i % 5 === 1 ? ('cancelled' as const) : i % 5 === 2 ? ('failed' as const) : ('completed' as const);
}
