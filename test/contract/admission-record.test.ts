/**
 * Admission as startChat uses it, against DynamoDB Local: the turn's request record and
 * its conversation are written in the reservation transaction (one round trip, all or
 * nothing), and the per-user override is cached but proven unchanged by that same
 * transaction, so an admin's change is never missed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitTurn, MAX_TOKENS_NOT_GIVEN, type AdmitInput } from '../../functions/gateway-api/admission.js';
import { manualClock } from '../../functions/shared/clock.js';
import { SIMULATOR_MODEL_ID } from '../../functions/shared/config.js';
import { clearBudgetOverride, getReservation, readCounters, setBudgetOverride } from '../../functions/shared/ledger/index.js';
import { gateway } from '../../infra/gateway.js';
import { dynamoDbClient, ensureTables, physicalTableName } from '../../infra/local/dynamodb.js';
import { sharedBackingServices } from '../helpers/services.js';
import { ledgerTestDeps, type LedgerTestDeps } from './ledger-deps.js';

const ADMIN = { userId: 'admin-1' };
/** Another model the `users` group may use, so the override below can leave the simulator out. */
const OTHER_MODEL = 'amazon.nova-micro-v1:0';

describe('admission with the request record', () => {
  const clock = manualClock('2025-07-01T10:00:00Z');
  let setup: LedgerTestDeps;
  let turnTables: { requests: string; conversations: string; messages: string };
  const dynamo = dynamoDbClient(sharedBackingServices().dynamodb.endpoint);
  /** Override reads (GetItem on the OVERRIDE item), counted by a middleware on the real client. */
  let overrideReads = 0;

  beforeAll(async () => {
    setup = await ledgerTestDeps(clock);
    setup.deps.db.middlewareStack.add(
      (next, context) => async (args) => {
        const sk = (args as { input?: { Key?: { sk?: unknown } } }).input?.Key?.sk;
        if (context.commandName === 'GetItemCommand' && sk === 'OVERRIDE') overrideReads += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countOverrideReads' },
    );
    const prefix = `admit${randomBytes(4).toString('hex')}_`;
    await ensureTables(dynamo, gateway.tables.filter((t) => ['ChatRequests', 'Conversations', 'Messages'].includes(t.name)), prefix);
    turnTables = {
      requests: physicalTableName(prefix, { name: 'ChatRequests' }),
      conversations: physicalTableName(prefix, { name: 'Conversations' }),
      messages: physicalTableName(prefix, { name: 'Messages' }),
    };
  });
  afterAll(() => {
    setup?.close();
    dynamo.destroy();
  });

  const turn = (userId: string, overrides: Partial<AdmitInput> = {}): AdmitInput => ({
    userId,
    groups: ['users'],
    requestId: randomUUID(),
    modelId: SIMULATOR_MODEL_ID,
    prompt: 'Hello there',
    maxTokens: MAX_TOKENS_NOT_GIVEN,
    record: { tables: turnTables, conversationId: `c${randomBytes(5).toString('hex')}`, createdAt: clock.now().toISOString() },
    ...overrides,
  });
  const requestItem = async (requestId: string) =>
    (await setup.deps.db.send(new GetCommand({ TableName: turnTables.requests, Key: { requestId }, ConsistentRead: true }))).Item;
  const conversationItem = async (userId: string, conversationId: string) =>
    (await setup.deps.db.send(new GetCommand({ TableName: turnTables.conversations, Key: { userId, conversationId }, ConsistentRead: true }))).Item;
  const messageItems = async (conversationId: string) =>
    (
      await setup.deps.db.send(
        new QueryCommand({ TableName: turnTables.messages, KeyConditionExpression: 'conversationId = :c', ExpressionAttributeValues: { ':c': conversationId }, ConsistentRead: true }),
      )
    ).Items ?? [];

  it('writes the request record, the conversation and the user message with the reservation', async () => {
    // Prepare
    const input = turn('user-record');
    // Act
    const outcome = await admitTurn(setup.deps, input);
    // Assess
    expect(outcome).toMatchObject({ ok: true });
    expect(await getReservation(setup.deps, input.requestId)).toMatchObject({ requestId: input.requestId, status: 'open' });
    expect(await requestItem(input.requestId)).toMatchObject({ userId: 'user-record', status: 'admitted', cancelRequested: false, conversationId: input.record!.conversationId });
    expect(await conversationItem('user-record', input.record!.conversationId)).toMatchObject({ title: 'Hello there', modelId: SIMULATOR_MODEL_ID });
    expect(await messageItems(input.record!.conversationId)).toEqual([
      expect.objectContaining({ role: 'user', text: 'Hello there', status: 'complete', requestId: input.requestId, userId: 'user-record', messageId: expect.stringMatching(/^[0-9A-Z]{26}$/) }),
    ]);
  });

  it('writes neither the record, the conversation nor the user message for a refused turn', async () => {
    // Prepare: an override whose day budget no turn fits.
    await setBudgetOverride(setup.deps, { actor: ADMIN, userId: 'user-refused', limits: { dailyLimitUsd: 0.000001 } });
    const input = turn('user-refused');
    // Act
    const outcome = await admitTurn(setup.deps, input);
    // Assess
    expect(outcome).toMatchObject({ ok: false, error: { code: 'BudgetExceeded' } });
    expect(await requestItem(input.requestId)).toBeUndefined();
    expect(await conversationItem('user-refused', input.record!.conversationId)).toBeUndefined();
    expect(await messageItems(input.record!.conversationId)).toEqual([]);
  });

  it('admits a turn that says it creates its conversation once, and refuses it with nothing written when the conversation exists', async () => {
    // Prepare
    const userId = 'user-new-conversation';
    const first = turn(userId);
    first.record!.newConversation = true;
    const again = turn(userId, { record: { ...first.record!, newConversation: true } });
    // Act
    const admitted = await admitTurn(setup.deps, first);
    const countersBefore = await readCounters(setup.deps, userId, clock.now());
    const refused = await admitTurn(setup.deps, again);
    // Assess
    expect(admitted).toMatchObject({ ok: true });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ConversationExists', conversationId: first.record!.conversationId, retryable: false } });
    expect(await requestItem(again.requestId)).toBeUndefined();
    expect(await getReservation(setup.deps, again.requestId)).toBeUndefined();
    expect((await messageItems(first.record!.conversationId)).map((m) => m.requestId)).toEqual([first.requestId]);
    expect(await readCounters(setup.deps, userId, clock.now())).toEqual(countersBefore);
    // Without the flag the same conversation is continued.
    expect(await admitTurn(setup.deps, turn(userId, { record: { ...first.record!, newConversation: false } }))).toMatchObject({ ok: true });
  });

  it('reads an unchanged override once, however many turns it admits', async () => {
    // Prepare
    await setBudgetOverride(setup.deps, { actor: ADMIN, userId: 'user-steady', limits: { dailyLimitUsd: 50 } });
    overrideReads = 0;
    // Act
    for (let i = 0; i < 3; i++) expect(await admitTurn(setup.deps, turn('user-steady'))).toMatchObject({ ok: true });
    // Assess
    expect(overrideReads).toBe(1);
  });

  it('applies an override an admin set, changed or cleared after it was cached', async () => {
    // Prepare: a turn caches "no override".
    const userId = 'user-changing';
    expect(await admitTurn(setup.deps, turn(userId))).toMatchObject({ ok: true });
    // Act + Assess: the admin leaves the simulator out; the next turn must see it.
    await setBudgetOverride(setup.deps, { actor: ADMIN, userId, limits: { allowedModels: [OTHER_MODEL] } });
    const refused = turn(userId);
    expect(await admitTurn(setup.deps, refused)).toMatchObject({ ok: false, error: { code: 'ModelNotAllowed' } });
    expect(await requestItem(refused.requestId)).toBeUndefined();
    // A changed override (same user, new terms) is seen too.
    await setBudgetOverride(setup.deps, { actor: ADMIN, userId, limits: { allowedModels: [OTHER_MODEL, SIMULATOR_MODEL_ID], maxOutputTokens: 16 } });
    expect(await admitTurn(setup.deps, turn(userId))).toMatchObject({ ok: true, maxTokens: 16 });
    // And a cleared one: back to the group's policy.
    await clearBudgetOverride(setup.deps, { actor: ADMIN, userId });
    expect(await admitTurn(setup.deps, turn(userId))).toMatchObject({ ok: true, maxTokens: 1024 });
  });
});
