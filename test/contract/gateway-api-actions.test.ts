/**
 * The gateway API Lambda's actions against DynamoDB Local and cognito-local, with an
 * injected clock: override terms (reason, expiry, who and when), emails from the user
 * pool in the admin views, and maxTokens' "not given" marker.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction, type ActionDeps, type Caller } from '../../functions/gateway-api/actions.js';
import { cognitoUserDirectory } from '../../functions/gateway-api/user-directory.js';
import { manualClock } from '../../functions/shared/clock.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { reserve, resolvePolicy, settle } from '../../functions/shared/ledger/index.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_REGION } from '../../infra/local/dynamodb.js';
import { DEMO_USERS } from '../helpers/amplify.js';
import { sharedBackingServices } from '../helpers/services.js';
import { ledgerTestDeps, type LedgerTestDeps } from './ledger-deps.js';

const [ALICE, BOB, ADMIN] = DEMO_USERS;
const NO_METRICS = { series: async () => [] };
/** A sub no user pool has. */
const GHOST = 'ghost-0000-sub';

function cognitoClient(endpoint: string) {
  return new CognitoIdentityProviderClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 1 });
}

describe('the gateway API actions', () => {
  const clock = manualClock('2025-07-01T10:00:00Z');
  const cognito = sharedBackingServices().cognito;
  const subOf = (email: string) => cognito.userSubs[email];
  let setup: LedgerTestDeps;
  let deps: ActionDeps;
  let admin: Caller;
  let listUsersCalls = 0;

  beforeAll(async () => {
    setup = await ledgerTestDeps(clock);
    const client = cognitoClient(cognito.endpoint);
    client.middlewareStack.add(
      (next) => async (args) => {
        listUsersCalls += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countListUsers' },
    );
    deps = { ledger: setup.deps, metrics: NO_METRICS, users: cognitoUserDirectory({ userPoolId: cognito.userPoolId, client }) };
    // In the cloud the username of an email-sign-in pool is a UUID, not the email.
    admin = { sub: subOf(ADMIN.email), username: '7f1c2a9e-username-not-email', groups: ['admins', 'users'] };
    // One settled turn each for Alice, Bob and a user the pool does not know.
    for (const [i, userId] of [subOf(ALICE.email), subOf(BOB.email), GHOST].entries()) {
      const policy = await resolvePolicy(setup.deps, userId, ['users']);
      const requestId = `actions-${i}`;
      const admitted = await reserve(setup.deps, { userId, requestId, modelId: SIMULATOR_MODEL_ID, inputTokensEstimate: 100, maxOutputTokens: 100, policy });
      if (!admitted.ok) throw new Error(admitted.error.message);
      await settle(setup.deps, { userId, requestId, usage: { inputTokens: 100, outputTokens: 10 * (i + 1) }, outcome: 'completed' });
    }
  });
  afterAll(() => setup?.close());

  const call = (action: string, args: Record<string, unknown> = {}, caller: Caller = admin, over: ActionDeps = deps) => runAction(over, { action, caller, args });

  describe('emails in the admin views', () => {
    it('names each user of a report and of top users by their email from the user pool, and an unknown user by null', async () => {
      // Act
      const report = (await call('usageReport', { from: '2025-07-01', to: '2025-07-01', groupBy: 'USER' })) as { result: { rows: { userId: string; email: string | null }[] } };
      const top = (await call('topUsers', { from: '2025-07-01', to: '2025-07-01', limit: 5 })) as { result: { userId: string; email: string | null }[] };
      // Assess
      const expected = [
        { userId: GHOST, email: null },
        { userId: subOf(BOB.email), email: BOB.email },
        { userId: subOf(ALICE.email), email: ALICE.email },
      ];
      expect(report.result.rows.map(({ userId, email }) => ({ userId, email }))).toEqual(expected);
      expect(top.result.map(({ userId, email }) => ({ userId, email }))).toEqual(expected);
    });

    it('looks each user up once per container', async () => {
      // Prepare: the test above filled the cache.
      const before = listUsersCalls;
      // Act
      await call('usageReport', { from: '2025-07-01', to: '2025-07-01', groupBy: 'USER' });
      await call('topUsers', { from: '2025-07-01', to: '2025-07-01', limit: 5 });
      // Assess
      expect(listUsersCalls).toBe(before);
    });

    it('still serves the report, with null emails, when the user pool cannot be reached', async () => {
      // Prepare: nothing listens on port 9 of the loopback.
      const unreachable: ActionDeps = { ...deps, users: cognitoUserDirectory({ userPoolId: cognito.userPoolId, client: cognitoClient('http://127.0.0.1:9'), logger: { warn: () => undefined } }) };
      // Act
      const report = (await call('usageReport', { from: '2025-07-01', to: '2025-07-01', groupBy: 'USER' }, admin, unreachable)) as { result: { rows: { email: string | null; costUsd: number }[]; totalUsd: number } };
      // Assess
      expect(report.result.rows).toHaveLength(3);
      expect(report.result.rows.map((row) => row.email)).toEqual([null, null, null]);
      expect(report.result.totalUsd).toBeGreaterThan(0);
    });

    it("drills down to one user's usage by model, with that user's email on every row", async () => {
      // Act
      const report = (await call('usageReport', { from: '2025-07-01', to: '2025-07-01', groupBy: 'MODEL', userId: subOf(BOB.email) })) as {
        result: { userId: string; rows: { key: string; userId: string; email: string; modelId: string; outputTokens: number }[] };
      };
      // Assess
      expect(report.result.userId).toBe(subOf(BOB.email));
      expect(report.result.rows).toEqual([
        expect.objectContaining({ key: SIMULATOR_MODEL_ID, modelId: SIMULATOR_MODEL_ID, userId: subOf(BOB.email), email: BOB.email, outputTokens: 20 }),
      ]);
    });
  });

  describe('override terms', () => {
    it('stores reason and expiry, returns who set it (their email) and when, and audits both under the admin\'s email', async () => {
      // Prepare
      const userId = subOf(ALICE.email);
      clock.set('2025-07-02T08:00:00Z');
      // Act
      const set = await call('setBudgetOverride', { userId, input: { dailyLimitUsd: 9, expiresAt: '2025-07-09T08:00:00Z', reason: 'conference week', maxOutputTokens: null } });
      const read = await call('budgetOverride', { userId });
      const audit = (await call('auditLog', { limit: 5 })) as { result: { items: { actor: string; target: string; targetEmail: string; details: string }[] } };
      // Assess
      const view = {
        userId,
        dailyLimitUsd: 9,
        monthlyLimitUsd: null,
        maxOutputTokens: null,
        requestsPerMinute: null,
        allowedModels: null,
        expiresAt: '2025-07-09T08:00:00.000Z',
        reason: 'conference week',
        updatedBy: ADMIN.email,
        updatedAt: '2025-07-02T08:00:00.000Z',
        active: true,
      };
      expect(set).toEqual({ result: view });
      expect(read).toEqual({ result: view });
      const [entry] = audit.result.items.filter((item) => item.target === userId);
      expect(entry).toMatchObject({ actor: ADMIN.email, targetEmail: ALICE.email });
      expect(JSON.parse(entry.details)).toEqual({ before: null, after: { dailyLimitUsd: 9, expiresAt: '2025-07-09T08:00:00.000Z', reason: 'conference week' } });
    });

    it('stops applying an expired override to models, myUsage and admission, and says it is no longer active', async () => {
      // Prepare: Bob may use only Nova Micro, with $0.50 a day, until noon.
      const bob: Caller = { sub: subOf(BOB.email), username: BOB.email, groups: ['users'] };
      clock.set('2025-07-03T09:00:00Z');
      await call('setBudgetOverride', { userId: bob.sub, input: { allowedModels: ['amazon.nova-micro-v1:0'], dailyLimitUsd: 0.5, expiresAt: '2025-07-03T12:00:00Z' } });
      const admit = (requestId: string) => call('admit', { requestId, modelId: SIMULATOR_MODEL_ID, prompt: 'Hi', maxTokens: null }, bob);
      // Act + Assess: in force before noon.
      expect(((await call('models', {}, bob)) as { result: { id: string }[] }).result.map((m) => m.id)).toEqual(['amazon.nova-micro-v1:0']);
      expect(await admit('expiry-1')).toMatchObject({ error: { errorType: 'ModelNotAllowed' } });
      expect(await call('myUsage', {}, bob)).toMatchObject({ result: { day: { limitUsd: 0.5 } } });
      // From noon on, the groups decide again.
      clock.set('2025-07-03T12:00:00Z');
      expect(((await call('models', {}, bob)) as { result: { id: string }[] }).result.map((m) => m.id)).toContain(SIMULATOR_MODEL_ID);
      expect(await admit('expiry-2')).toMatchObject({ result: { maxTokens: 1024, policyGroup: 'users' } });
      expect(await call('myUsage', {}, bob)).toMatchObject({ result: { day: { limitUsd: 2 } } });
      expect(await call('budgetOverride', { userId: bob.sub })).toMatchObject({ result: { dailyLimitUsd: 0.5, active: false } });
    });

    it('refuses an expiry in the past and an overlong reason, storing nothing', async () => {
      // Prepare
      const userId = 'u-refused-terms';
      clock.set('2025-07-04T09:00:00Z');
      // Act
      const outcome = await call('setBudgetOverride', { userId, input: { dailyLimitUsd: 3, expiresAt: '2025-07-04T08:59:59Z', reason: 'r'.repeat(501) } });
      // Assess
      expect(outcome).toMatchObject({ error: { errorType: 'ValidationError', errorInfo: { problems: [expect.stringContaining('expiresAt'), expect.stringContaining('reason')] } } });
      expect(await call('budgetOverride', { userId })).toEqual({ result: null });
    });

    it('returns the removed override with who set it when clearing', async () => {
      // Prepare
      const userId = 'u-cleared';
      clock.set('2025-07-05T09:00:00Z');
      await call('setBudgetOverride', { userId, input: { requestsPerMinute: 5, reason: 'noisy script' } });
      clock.set('2025-07-05T10:00:00Z');
      // Act
      const cleared = await call('clearBudgetOverride', { userId });
      // Assess
      expect(cleared).toMatchObject({ result: { userId, requestsPerMinute: 5, reason: 'noisy script', updatedBy: ADMIN.email, updatedAt: '2025-07-05T09:00:00.000Z' } });
      expect(await call('budgetOverride', { userId })).toEqual({ result: null });
    });
  });

  describe('maxTokens', () => {
    const alice = (): Caller => ({ sub: subOf(ALICE.email), username: ALICE.email, groups: ['users'] });

    it.each([
      { name: 'an explicit -1', maxTokens: -1, message: 'maxTokens: must be between 1 and 2048 for sluice.simulator' },
      { name: 'zero', maxTokens: 0, message: 'maxTokens: must be between 1 and 2048 for sluice.simulator' },
      { name: 'a fraction', maxTokens: 1.5, message: 'maxTokens: must be a whole number' },
      { name: 'a string', maxTokens: '100', message: 'maxTokens: must be a whole number' },
    ])('refuses $name with a ValidationError instead of taking the default', async ({ maxTokens, message }) => {
      // Prepare
      clock.set('2025-07-06T09:00:00Z');
      // Act
      const outcome = await call('admit', { requestId: `max-${String(maxTokens)}`, modelId: SIMULATOR_MODEL_ID, prompt: 'Hi', maxTokens }, alice());
      // Assess
      expect(outcome).toMatchObject({ error: { errorType: 'ValidationError', message, errorInfo: { field: 'maxTokens' } } });
    });

    it('takes the default when maxTokens is null (not given)', async () => {
      // Act
      const outcome = await call('admit', { requestId: 'max-null', modelId: SIMULATOR_MODEL_ID, prompt: 'Hi', maxTokens: null }, alice());
      // Assess
      // With what a way in needs to hold an API key's budget beside it and to answer rate-limit headers.
      expect(outcome).toEqual({
        result: { maxTokens: 1024, policyGroup: 'users', duplicate: false, reservedMicros: expect.any(Number), createdAt: expect.any(String), requestsPerMinute: 10 },
      });
    });
  });
});
