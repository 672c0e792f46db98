/**
 * Budget override terms through the gateway, as the admin web form uses them: reason and
 * expiry are stored, returned, audited and enforced; `budgetOverride` reads the current
 * values; admins are named by email even where their Cognito username is not one.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../functions/shared/clock.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { clearBudgetOverride, documentClient, setBudgetOverride, type LedgerDeps } from '../../functions/shared/ledger/index.js';
import { dynamoDbClient, LOCAL_AWS_CREDENTIALS, LOCAL_REGION } from '../../infra/local/dynamodb.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs, type DemoUser } from '../helpers/amplify.js';
import { gql, graphql, graphqlFailure } from '../helpers/graphql.js';
import { startTestTwin } from '../helpers/twin.js';

const [, BOB, ADMIN] = DEMO_USERS;
const NOVA_MICRO = 'amazon.nova-micro-v1:0';
const OVERRIDE_FIELDS = gql(`
  fragment Override on BudgetOverride {
    userId dailyLimitUsd monthlyLimitUsd maxOutputTokens requestsPerMinute allowedModels expiresAt reason updatedBy updatedAt active
  }
`);
const SET_OVERRIDE = gql(
  `mutation Set($userId: ID!, $input: BudgetOverrideInput!) { setBudgetOverride(userId: $userId, input: $input) { ...Override } }`,
  [OVERRIDE_FIELDS],
);
const GET_OVERRIDE = gql(`query Get($userId: ID!) { budgetOverride(userId: $userId) { ...Override } }`, [OVERRIDE_FIELDS]);
const CLEAR_OVERRIDE = gql(`mutation Clear($userId: ID!) { clearBudgetOverride(userId: $userId) { userId } }`);
const AUDIT_LOG = gql(`query AuditLog { auditLog(limit: 20) { items { actor target details } } }`);
const START_CHAT = gql(`mutation Start($input: StartChatInput!) { startChat(input: $input) { requestId } }`);
const MODEL_IDS = gql(`query ModelIds { models { id } }`);
const DAY_LIMIT = gql(`query DayLimit { myUsage { day { limitUsd } } }`);

const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

describe('budget override terms through the gateway', () => {
  let twin: Twin;
  let bobSub: string;
  let ledger: LedgerDeps;

  beforeAll(async () => {
    twin = await startTestTwin({ bedrockSpeed: 20 });
    configureAmplify(twin);
    ({ sub: bobSub } = await signInAs(BOB));
    const budgets = twin.context.dynamodb.tableName('Budgets');
    ledger = { db: documentClient(dynamoDbClient(twin.context.dynamodb.endpoint)), tables: { budgets, ledger: twin.context.dynamodb.tableName('Ledger') } };
    await signInAs(ADMIN);
  });
  afterAll(async () => {
    await clearBudgetOverride(ledger, { actor: { userId: 'test-admin' }, userId: bobSub }).catch(() => undefined);
    await twin?.close();
  });

  it('returns the reason and expiry it stored, who set them and when, and reads them back with budgetOverride', async () => {
    // Prepare
    await signInAs(ADMIN);
    const expiresAt = inOneDay();
    const before = new Date().toISOString();
    // Act
    const set = (
      await graphql(SET_OVERRIDE, {
        userId: bobSub,
        input: { monthlyLimitUsd: 40, expiresAt, reason: 'quarter-end reporting' },
      })
    ).setBudgetOverride!;
    const { budgetOverride: read } = await graphql(GET_OVERRIDE, { userId: bobSub });
    // Assess
    expect(set).toEqual({
      userId: bobSub,
      dailyLimitUsd: null,
      monthlyLimitUsd: 40,
      maxOutputTokens: null,
      requestsPerMinute: null,
      allowedModels: null,
      expiresAt,
      reason: 'quarter-end reporting',
      updatedBy: ADMIN.email,
      updatedAt: expect.any(String),
      active: true,
    });
    expect(set.updatedAt >= before && set.updatedAt <= new Date().toISOString()).toBe(true);
    expect(read).toEqual(set);
  });

  it('gives null for a user without an override', async () => {
    // Act
    const { budgetOverride } = await graphql(GET_OVERRIDE, { userId: 'nobody-has-this-sub' });
    // Assess
    expect(budgetOverride).toBeNull();
  });

  it.each([
    { name: 'an expiry in the past', input: { dailyLimitUsd: 1, expiresAt: '2020-01-01T00:00:00Z' }, field: 'expiresAt' },
    { name: 'a reason over 500 characters', input: { dailyLimitUsd: 1, reason: 'r'.repeat(501) }, field: 'reason' },
  ])('refuses $name with a ValidationError and keeps the override as it was', async ({ input, field }) => {
    // Prepare
    await signInAs(ADMIN);
    const { budgetOverride: before } = await graphql(GET_OVERRIDE, { userId: bobSub });
    // Act
    const { errors } = await graphqlFailure(graphql(SET_OVERRIDE, { userId: bobSub, input }));
    // Assess
    expect(errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringContaining(field) })]);
    expect((await graphql(GET_OVERRIDE, { userId: bobSub })).budgetOverride).toEqual(before);
  });

  it('ignores an expired override in models, myUsage and startChat, and reports it as inactive', async () => {
    // Prepare: an override set an hour ago (the ledger's clock) that expired half an hour ago.
    const hourAgo = new Date(Date.now() - 3_600_000);
    const expired = await setBudgetOverride(
      { ...ledger, clock: manualClock(hourAgo) },
      { actor: { userId: 'test-admin' }, userId: bobSub, limits: { allowedModels: [NOVA_MICRO], dailyLimitUsd: 0.5, expiresAt: new Date(hourAgo.getTime() + 1_800_000).toISOString() } },
    );
    expect(expired.ok).toBe(true);
    // Act
    await signInAs(BOB);
    const { models } = await graphql(MODEL_IDS);
    const { myUsage } = await graphql(DAY_LIMIT);
    const started = await graphql(START_CHAT, { input: { modelId: SIMULATOR_MODEL_ID, prompt: 'Short. [[sim:tokens=3]]' } });
    await signInAs(ADMIN);
    const { budgetOverride } = await graphql(GET_OVERRIDE, { userId: bobSub });
    // Assess: the users group's models and $2 a day.
    expect(models.map((m) => m.id)).toContain(SIMULATOR_MODEL_ID);
    expect(myUsage.day.limitUsd).toBe(2);
    expect(started.startChat!.requestId).toBeTruthy();
    expect(budgetOverride).toMatchObject({ active: false, dailyLimitUsd: 0.5 });
    await twin.context.lambda.drain();
  });

  it('names an admin by email in updatedBy and the audit trail, not by their Cognito username', async () => {
    // Prepare: a new admin. With email sign-in, Cognito (and cognito-local) makes the username
    // the sub, a UUID, so AppSync's identity.username is no email.
    const cognito = twin.context.cognito;
    const client = new CognitoIdentityProviderClient({ endpoint: cognito.endpoint, region: LOCAL_REGION, credentials: LOCAL_AWS_CREDENTIALS });
    const carol = { email: `carol-${randomBytes(4).toString('hex')}@example.com`, password: 'Sluice-demo-1' };
    await client.send(new AdminCreateUserCommand({ UserPoolId: cognito.userPoolId, Username: carol.email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: carol.email }] }));
    await client.send(new AdminSetUserPasswordCommand({ UserPoolId: cognito.userPoolId, Username: carol.email, Password: carol.password, Permanent: true }));
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId: cognito.userPoolId, Username: carol.email, GroupName: 'admins' }));
    client.destroy();
    const { accessToken } = await signInAs(carol as unknown as DemoUser);
    const username = String((JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')) as { username: string }).username);
    expect(username).not.toBe(carol.email);
    // Act
    const set = (await graphql(SET_OVERRIDE, { userId: bobSub, input: { requestsPerMinute: 7, reason: 'carol was here' } })).setBudgetOverride!;
    await graphql(CLEAR_OVERRIDE, { userId: bobSub });
    const auditLog = (await graphql(AUDIT_LOG)).auditLog!;
    // Assess
    expect(set.updatedBy).toBe(carol.email);
    const carols = auditLog.items.filter((entry) => entry.target === bobSub && String(entry.details).includes('carol was here'));
    expect(carols.map((entry) => entry.actor)).toEqual([carol.email, carol.email]);
  });
});
