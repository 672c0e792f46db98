/**
 * An API key's own daily budget is held for each of its turns (one conditional write on the
 * key item) and given back exactly once, however the turn ends: settled, swept after its
 * function died, or released by the way in after a failure. Against DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../functions/shared/clock.js';
import { RESERVATION_TTL_IN_SECONDS } from '../../functions/shared/config.js';
import {
  authenticateApiKey,
  claimReservation,
  createApiKey,
  holdKeyBudget,
  listApiKeys,
  releaseKeyHold,
  reserve,
  settle,
  sweepExpiredReservations,
  type AuthenticatedKey,
  type KeyHold,
} from '../../functions/shared/ledger/index.js';
import { effectivePolicy } from '../../functions/shared/policy.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { ledgerTestDeps, type LedgerTestDeps } from './ledger-deps.js';

const policy = effectivePolicy(['users'], { dailyLimitUsd: 1, monthlyLimitUsd: 10, maxOutputTokens: 1000, requestsPerMinute: 100 });
const PRODUCED = { inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
/** The simulator's price of {@link PRODUCED}: 100 input at $1/M and 20 output at $5/M. */
const PRODUCED_MICROS = 200;

describe("an API key's hold on its turns", () => {
  const clock = manualClock('2026-03-10T09:00:00Z');
  let setup: LedgerTestDeps;
  beforeAll(async () => {
    setup = await ledgerTestDeps(clock);
  });
  afterAll(() => setup?.close());

  /** A user with a key of its own daily budget. */
  async function keyOf(userId: string): Promise<AuthenticatedKey> {
    const { secret } = await createApiKey(setup.deps, { userId, username: userId, name: 'ci', dailyLimitUsd: 0.5 });
    const authenticated = await authenticateApiKey(setup.deps, secret);
    if (!authenticated.ok) throw new Error(`the new key did not authenticate: ${authenticated.reason}`);
    return authenticated.key;
  }
  /** Admits a turn through the key as the OpenAI-compatible API does: the reservation names the key, then the key's budget is held. */
  async function keyTurn(key: AuthenticatedKey, requestId: string): Promise<KeyHold> {
    const admitted = await reserve(setup.deps, { userId: key.userId, requestId, modelId: SIMULATOR_MODEL_ID, inputTokensEstimate: 1000, maxOutputTokens: 1000, policy, keyId: key.keyId });
    if (!admitted.ok) throw new Error(`not admitted: ${admitted.error.message}`);
    const held = await holdKeyBudget(setup.deps, key, requestId, admitted.reservation.reservedMicros, new Date(admitted.reservation.createdAt));
    if (!held.ok) throw new Error(`the key refused: ${held.code}`);
    return held.hold;
  }
  const usedMicros = async (key: AuthenticatedKey) => Math.round((await listApiKeys(setup.deps, key.userId))[0]!.usedTodayUsd * 1e6);
  const endClaimedBySettling = ({ userId, requestId }: { userId: string; requestId: string }) => settle(setup.deps, { userId, requestId, usage: PRODUCED, outcome: 'failed' });

  it('is the cost alone once the turn settles, and releasing it afterwards changes nothing', async () => {
    // Prepare
    const key = await keyOf('u-settles');
    const hold = await keyTurn(key, 'settles-1');
    expect(await usedMicros(key)).toBe(hold.heldMicros);
    // Act
    await settle(setup.deps, { userId: key.userId, requestId: 'settles-1', usage: PRODUCED, outcome: 'completed' });
    await releaseKeyHold(setup.deps, hold);
    await releaseKeyHold(setup.deps, hold);
    // Assess
    expect(await usedMicros(key)).toBe(PRODUCED_MICROS);
  });

  it('goes back once however many times a failed way in releases it', async () => {
    // Prepare
    const key = await keyOf('u-releases');
    const hold = await keyTurn(key, 'releases-1');
    // Act
    await Promise.all([releaseKeyHold(setup.deps, hold), releaseKeyHold(setup.deps, hold)]);
    await releaseKeyHold(setup.deps, hold);
    // Assess
    expect(await usedMicros(key)).toBe(0);
  });

  it('of a turn whose function died mid-stream becomes what it produced when the sweeper ends it', async () => {
    // Prepare: the turn was claimed (it streamed), then its function died.
    const key = await keyOf('u-died');
    await keyTurn(key, 'died-1');
    await claimReservation(setup.deps, { userId: key.userId, requestId: 'died-1' });
    clock.advance((RESERVATION_TTL_IN_SECONDS + 1) * 1000);
    // Act
    const swept = await sweepExpiredReservations(setup.deps, { endClaimed: endClaimedBySettling });
    // Assess
    expect(swept.endedRequestIds).toContain('died-1');
    expect(await usedMicros(key)).toBe(PRODUCED_MICROS);
  });

  it('of a turn that never started goes back with the reserve, and a late settlement adds only its cost', async () => {
    // Prepare: admitted and held, never claimed.
    const key = await keyOf('u-never');
    await keyTurn(key, 'never-1');
    clock.advance((RESERVATION_TTL_IN_SECONDS + 1) * 1000);
    // Act
    const swept = await sweepExpiredReservations(setup.deps, { endClaimed: endClaimedBySettling });
    const usedAfterSweep = await usedMicros(key);
    await settle(setup.deps, { userId: key.userId, requestId: 'never-1', usage: PRODUCED, outcome: 'completed' });
    // Assess
    expect(swept.requestIds).toContain('never-1');
    expect(usedAfterSweep).toBe(0);
    expect(await usedMicros(key)).toBe(PRODUCED_MICROS);
  });
});
