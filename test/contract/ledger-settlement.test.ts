import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../functions/shared/clock.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import {
  getReservation,
  MAX_OPEN_TURNS,
  getUserTotals,
  readCounters,
  reserve,
  settle,
  sweepExpiredReservations,
  type ReserveInput,
} from '../../functions/shared/ledger/index.js';
import { effectivePolicy } from '../../functions/shared/policy.js';
import { ledgerTestDeps, type LedgerTestDeps } from './ledger-deps.js';
import { BUDGET_ITEM_BOUND_IN_BYTES, itemSizeInBytes } from '../helpers/item-size.js';

const DAY = '2025-06-10';
/** Simulator worst case for 1000 input + 1000 output tokens (see pricing). */
const WORST_CASE_MICROS = 6250;
const policy = effectivePolicy(['users'], { dailyLimitUsd: 1, monthlyLimitUsd: 10, maxOutputTokens: 1000, requestsPerMinute: 100 });

describe('settlement and the sweeper', () => {
  const clock = manualClock(`${DAY}T09:00:00Z`);
  let setup: LedgerTestDeps;
  beforeAll(async () => {
    setup = await ledgerTestDeps(clock);
  });
  afterAll(() => setup?.close());

  const turn = (userId: string, requestId: string, extra: Partial<ReserveInput> = {}): ReserveInput => ({
    userId,
    requestId,
    modelId: SIMULATOR_MODEL_ID,
    inputTokensEstimate: 1000,
    maxOutputTokens: 1000,
    policy,
    ...extra,
  });
  async function admitted(input: ReserveInput) {
    const result = await reserve(setup.deps, input);
    if (!result.ok) throw new Error(`not admitted: ${result.error.message}`);
    return result.reservation;
  }

  it('bills a completed turn from its usage, cache tokens included, and releases the reserve', async () => {
    // Prepare
    const reservation = await admitted(turn('u-complete', 'complete-1'));
    // Act: 100 input ($1/M), 20 output ($5/M), 1000 cache read ($0.10/M), 200 cache write ($1.25/M).
    const result = await settle(setup.deps, {
      userId: reservation.userId, requestId: reservation.requestId,
      usage: { inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 1000, cacheWriteInputTokens: 200 },
      outcome: 'completed',
    });
    // Assess: 100 + 100 + 100 + 250 micro-USD.
    expect(result).toMatchObject({ ok: true, settlement: { costMicros: 550, costUsd: 0.00055, alreadySettled: false } });
    const counters = await readCounters(setup.deps, 'u-complete', clock.now());
    expect(counters.day).toMatchObject({ spentMicros: 550, reservedMicros: 0, usedMicros: 550 });
    const { total } = await getUserTotals(setup.deps, { userId: 'u-complete', from: DAY, to: DAY });
    expect(total).toMatchObject({ requests: 1, completedRequests: 1, inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 1000, cacheWriteInputTokens: 200, costMicros: 550 });
  });

  it('bills a cancelled turn and a failed turn for what they produced, not for their reserve', async () => {
    // Prepare
    const cancelled = await admitted(turn('u-partial', 'cancel-1'));
    const failed = await admitted(turn('u-partial', 'fail-1'));
    // Act
    const cancelResult = await settle(setup.deps, { userId: cancelled.userId, requestId: cancelled.requestId, usage: { inputTokens: 300, outputTokens: 40 }, outcome: 'cancelled' });
    const failResult = await settle(setup.deps, { userId: failed.userId, requestId: failed.requestId, usage: { inputTokens: 300, outputTokens: 0 }, outcome: 'failed' });
    // Assess
    expect(cancelResult).toMatchObject({ ok: true, settlement: { outcome: 'cancelled', costMicros: 500 } });
    expect(failResult).toMatchObject({ ok: true, settlement: { outcome: 'failed', costMicros: 300 } });
    const counters = await readCounters(setup.deps, 'u-partial', clock.now());
    expect(counters.day).toMatchObject({ spentMicros: 800, reservedMicros: 0 });
    const { total } = await getUserTotals(setup.deps, { userId: 'u-partial', from: DAY, to: DAY });
    expect(total).toMatchObject({ requests: 2, cancelledRequests: 1, failedRequests: 1, completedRequests: 0, costMicros: 800 });
  });

  it('changes nothing when the same request is settled again, in sequence or at the same time', async () => {
    // Prepare
    const reservation = await admitted(turn('u-idem', 'idem-1'));
    const usage = { inputTokens: 10, outputTokens: 10 };
    // Act: two retries racing, then a late retry with different numbers.
    const racing = await Promise.all([1, 2, 3].map(() => settle(setup.deps, { userId: reservation.userId, requestId: reservation.requestId, usage, outcome: 'completed' })));
    const late = await settle(setup.deps, { userId: reservation.userId, requestId: reservation.requestId, usage: { inputTokens: 999, outputTokens: 999 }, outcome: 'failed' });
    // Assess: billed once, at the first settlement's cost.
    expect(racing.filter((r) => r.ok && !r.settlement.alreadySettled)).toHaveLength(1);
    expect(late).toMatchObject({ ok: true, settlement: { alreadySettled: true, costMicros: 60, outcome: 'completed' } });
    const { total } = await getUserTotals(setup.deps, { userId: 'u-idem', from: DAY, to: DAY });
    expect(total).toMatchObject({ requests: 1, costMicros: 60 });
    expect((await readCounters(setup.deps, 'u-idem', clock.now())).day.spentMicros).toBe(60);
  });

  it('admits a repeated request id once, and keeps request ids apart per user', async () => {
    // Prepare
    await admitted(turn('u-dup', 'dup-1'));
    // Act
    const again = await reserve(setup.deps, turn('u-dup', 'dup-1'));
    const stranger = await reserve(setup.deps, turn('u-other', 'dup-1'));
    // Assess: the repeat holds nothing more; the other user's turn is theirs alone (their own budget item).
    expect(again).toMatchObject({ ok: true, duplicate: true, reservation: { requestId: 'dup-1', userId: 'u-dup' } });
    expect(stranger).toMatchObject({ ok: true, duplicate: false, reservation: { requestId: 'dup-1', userId: 'u-other' } });
    expect((await readCounters(setup.deps, 'u-dup', clock.now())).day).toMatchObject({ reservedMicros: WORST_CASE_MICROS, requests: 1 });
    expect((await readCounters(setup.deps, 'u-other', clock.now())).day).toMatchObject({ reservedMicros: WORST_CASE_MICROS, requests: 1 });
  });

  it(`refuses a turn beyond ${MAX_OPEN_TURNS} open at once with RateLimited, and the budget item stays small`, async () => {
    // Prepare: the cap's worth of open turns.
    for (let i = 0; i < MAX_OPEN_TURNS; i++) await admitted(turn('u-cap', `cap-${i}`, { maxOutputTokens: 10, inputTokensEstimate: 10 }));
    // Act
    const beyond = await reserve(setup.deps, turn('u-cap', 'cap-beyond', { maxOutputTokens: 10, inputTokensEstimate: 10 }));
    // Assess: refused, nothing held for it, and the item is within the documented bound (docs/budgets.md).
    expect(beyond).toMatchObject({ ok: false, error: { code: 'RateLimited', limitConcurrent: MAX_OPEN_TURNS, retryable: true } });
    const counters = await readCounters(setup.deps, 'u-cap', clock.now());
    expect(counters.day.requests).toBe(MAX_OPEN_TURNS);
    expect(itemSizeInBytes(counters.item!)).toBeLessThanOrEqual(BUDGET_ITEM_BOUND_IN_BYTES);
  });

  it('releases expired reservations of crashed turns and leaves the live ones', async () => {
    // Prepare: one turn that will crash, one admitted later that is still running.
    const crashed = await admitted(turn('u-crash', 'crash-1', { ttlSeconds: 60 }));
    clock.advance(30_000);
    const running = await admitted(turn('u-crash', 'running-1', { ttlSeconds: 60 }));
    // Act: sweep 61 s after the first admission.
    clock.advance(31_000);
    const swept = await sweepExpiredReservations(setup.deps);
    const sweptAgain = await sweepExpiredReservations(setup.deps);
    // Assess
    expect(swept.requestIds).toContain(crashed.requestId);
    expect(swept.requestIds).not.toContain(running.requestId);
    expect(sweptAgain.requestIds).not.toContain(crashed.requestId);
    expect((await getReservation(setup.deps, crashed.requestId, crashed.userId))?.status).toBe('expired');
    expect((await getReservation(setup.deps, running.requestId, running.userId))?.status).toBe('open');
    expect((await readCounters(setup.deps, 'u-crash', clock.now())).day).toMatchObject({ reservedMicros: WORST_CASE_MICROS, spentMicros: 0 });
  });

  it('still bills a turn that settles after the sweeper released it, without releasing twice', async () => {
    // Prepare
    const slow = await admitted(turn('u-slow', 'slow-1', { ttlSeconds: 1 }));
    clock.advance(2_000);
    await sweepExpiredReservations(setup.deps);
    // Act
    const result = await settle(setup.deps, { userId: slow.userId, requestId: slow.requestId, usage: { inputTokens: 100, outputTokens: 100 }, outcome: 'completed' });
    // Assess
    expect(result).toMatchObject({ ok: true, settlement: { costMicros: 600, settledAfterExpiry: true } });
    expect((await readCounters(setup.deps, 'u-slow', clock.now())).day).toMatchObject({ spentMicros: 600, reservedMicros: 0, usedMicros: 600 });
  });

  it('refuses a settlement for a request that was never admitted, and bad usage changes nothing', async () => {
    // Prepare
    const reservation = await admitted(turn('u-bad', 'bad-1'));
    // Act
    const unknown = await settle(setup.deps, { userId: 'u-bad', requestId: 'never-admitted', usage: { inputTokens: 1, outputTokens: 1 }, outcome: 'completed' });
    const negative = settle(setup.deps, { userId: reservation.userId, requestId: reservation.requestId, usage: { inputTokens: -5, outputTokens: 1 }, outcome: 'completed' });
    // Assess
    expect(unknown).toMatchObject({ ok: false, error: { code: 'ReservationNotFound', requestId: 'never-admitted' } });
    await expect(negative).rejects.toThrow(RangeError);
    expect((await getReservation(setup.deps, reservation.requestId, reservation.userId))?.status).toBe('open');
  });

  it('refuses models outside the policy and turns dearer than the whole budget without holding anything', async () => {
    // Act
    const notAllowed = await reserve(setup.deps, turn('u-model', 'model-1', { modelId: 'anthropic.claude-opus-4-1-20250805-v1:0' }));
    const unknown = await reserve(setup.deps, turn('u-model', 'model-2', { modelId: 'acme.unknown-v1' }));
    const tooDear = await reserve(setup.deps, turn('u-model', 'model-3', { policy: { ...policy, dailyLimitUsd: 0.001 } }));
    // Assess
    expect(notAllowed).toMatchObject({ ok: false, error: { code: 'ModelNotAllowed', modelId: 'anthropic.claude-opus-4-1-20250805-v1:0' } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'ModelNotAllowed' } });
    expect(tooDear).toMatchObject({ ok: false, error: { code: 'BudgetExceeded', scope: 'day', limitUsd: 0.001, remainingUsd: 0.001, requiredUsd: 0.00625 } });
    expect((await readCounters(setup.deps, 'u-model', clock.now())).day.requests).toBe(0);
  });

  it('limits the request rate per minute and says when to retry', async () => {
    // Prepare
    clock.set(`${DAY}T10:00:15Z`);
    const twoPerMinute = { ...policy, requestsPerMinute: 2 };
    await admitted(turn('u-rate', 'rate-1', { policy: twoPerMinute }));
    await admitted(turn('u-rate', 'rate-2', { policy: twoPerMinute }));
    // Act
    const third = await reserve(setup.deps, turn('u-rate', 'rate-3', { policy: twoPerMinute }));
    clock.set(`${DAY}T10:01:00Z`);
    const nextMinute = await reserve(setup.deps, turn('u-rate', 'rate-3', { policy: twoPerMinute }));
    // Assess: the refusal held nothing, and the next window admits.
    expect(third).toMatchObject({ ok: false, error: { code: 'RateLimited', limitPerMinute: 2, retryAfterSeconds: 45, retryAt: `${DAY}T10:01:00.000Z` } });
    expect(nextMinute).toMatchObject({ ok: true, duplicate: false });
    expect((await readCounters(setup.deps, 'u-rate', clock.now())).day.reservedMicros).toBe(3 * WORST_CASE_MICROS);
  });
});
