/**
 * Admission as both ways in use it, against DynamoDB Local: one conditional UpdateItem on
 * the user's budget item and nothing else written; the checks beside it (a new
 * conversation's absence, a request recorded before) are reads, and a turn they refuse
 * leaves the budget item as it found it. The per-user override is cached but pinned by
 * that one write, so an admin's change is never missed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admitTurn, MAX_TOKENS_NOT_GIVEN, type AdmitInput } from '../../functions/gateway-api/admission.js';
import { manualClock } from '../../functions/shared/clock.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { budgetKey, clearBudgetOverride, getReservation, readCounters, setBudgetOverride } from '../../functions/shared/ledger/index.js';
import { gateway } from '../../infra/gateway.js';
import { dynamoDbClient, ensureTables, physicalTableName } from '../../infra/local/dynamodb.js';
import { sharedBackingServices } from '../helpers/services.js';
import { ledgerTestDeps, type LedgerTestDeps } from './ledger-deps.js';

const ADMIN = { userId: 'admin-1' };
/** Another model the `users` group may use, so the override below can leave the simulator out. */
const OTHER_MODEL = 'amazon.nova-micro-v1:0';

describe('admission as one conditional write', () => {
  const clock = manualClock('2025-07-01T10:00:00Z');
  let setup: LedgerTestDeps;
  let turnTables: { requests: string; conversations: string; messages: string };
  const dynamo = dynamoDbClient(sharedBackingServices().dynamodb.endpoint);
  /** DynamoDB commands admission sent, by name and table, counted by a middleware on the real client. */
  const sent: { command: string; table?: string }[] = [];

  beforeAll(async () => {
    setup = await ledgerTestDeps(clock);
    setup.deps.db.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ command: context.commandName ?? 'unknown', table: (args as { input?: { TableName?: string } }).input?.TableName });
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
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
    turn: { tables: turnTables, conversationId: `c${randomBytes(5).toString('hex')}` },
    ...overrides,
  });
  const budgetItem = async (userId: string) =>
    (await setup.deps.db.send(new GetCommand({ TableName: setup.deps.tables.budgets, Key: budgetKey(userId), ConsistentRead: true }))).Item;
  const rowsIn = async (table: string) => (await setup.deps.db.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
  const writes = () => sent.filter((s) => !['GetItemCommand', 'TransactGetItemsCommand', 'QueryCommand', 'ScanCommand'].includes(s.command));

  it('admits with one UpdateItem on the budget item and writes no record, conversation or message', async () => {
    // Prepare: a first turn caches the user's (absent) override.
    const userId = 'user-one-write';
    expect(await admitTurn(setup.deps, turn(userId))).toMatchObject({ ok: true });
    const input = turn(userId);
    sent.length = 0;
    // Act
    const outcome = await admitTurn(setup.deps, input);
    // Assess
    expect(outcome).toMatchObject({ ok: true, duplicate: false, maxTokens: 1024 });
    expect(writes()).toEqual([{ command: 'UpdateItemCommand', table: setup.deps.tables.budgets }]);
    expect(sent).toHaveLength(1);
    expect(await getReservation(setup.deps, input.requestId, userId)).toMatchObject({ requestId: input.requestId, status: 'open' });
    for (const table of Object.values(turnTables)) expect(await rowsIn(table)).toEqual([]);
  });

  it('writes nothing at all for a refused turn', async () => {
    // Prepare: an override whose day budget no turn fits.
    await setBudgetOverride(setup.deps, { actor: ADMIN, userId: 'user-refused', limits: { dailyLimitUsd: 0.000001 } });
    const before = await budgetItem('user-refused');
    sent.length = 0;
    // Act
    const outcome = await admitTurn(setup.deps, turn('user-refused'));
    // Assess
    expect(outcome).toMatchObject({ ok: false, error: { code: 'BudgetExceeded' } });
    expect(writes()).toEqual([]);
    expect(await budgetItem('user-refused')).toEqual(before);
  });

  it('refuses a new conversation that exists with ConversationExists, and takes its reservation back', async () => {
    // Prepare: the conversation exists (a turn in it was recorded).
    const userId = 'user-new-conversation';
    const conversationId = `c${randomBytes(5).toString('hex')}`;
    await setup.deps.db.send(new PutCommand({ TableName: turnTables.conversations, Item: { userId, conversationId, title: 'Earlier' } }));
    expect(await admitTurn(setup.deps, turn(userId))).toMatchObject({ ok: true });
    const countersBefore = await readCounters(setup.deps, userId, clock.now());
    const again = turn(userId, { turn: { tables: turnTables, conversationId, newConversation: true } });
    // Act
    const refused = await admitTurn(setup.deps, again);
    const countersAfter = await readCounters(setup.deps, userId, clock.now());
    const fresh = await admitTurn(setup.deps, turn(userId, { turn: { tables: turnTables, conversationId: `c${randomBytes(5).toString('hex')}`, newConversation: true } }));
    // Assess
    expect(refused).toMatchObject({ ok: false, error: { code: 'ConversationExists', conversationId, retryable: false } });
    expect(await getReservation(setup.deps, again.requestId, userId)).toBeUndefined();
    expect({ day: countersAfter.day, month: countersAfter.month }).toEqual({ day: countersBefore.day, month: countersBefore.month });
    expect(fresh).toMatchObject({ ok: true });
  });

  it('answers a request id recorded before as a duplicate, and another user\'s as RequestIdConflict, holding nothing', async () => {
    // Prepare: a turn that was claimed, recorded and settled (its request item remains).
    const userId = 'user-republish';
    const recorded = turn(userId, { turn: { tables: turnTables, conversationId: 'c-republish', mayBeRecorded: true } });
    await setup.deps.db.send(new PutCommand({ TableName: turnTables.requests, Item: { requestId: recorded.requestId, userId, status: 'completed' } }));
    const countersBefore = await readCounters(setup.deps, userId, clock.now());
    // Act
    const republished = await admitTurn(setup.deps, recorded);
    const stranger = await admitTurn(setup.deps, { ...recorded, userId: 'user-stranger' });
    // Assess
    expect(republished).toMatchObject({ ok: true, duplicate: true });
    expect(stranger).toMatchObject({ ok: false, error: { code: 'RequestIdConflict', requestId: recorded.requestId } });
    expect((await readCounters(setup.deps, userId, clock.now())).day).toEqual(countersBefore.day);
    expect((await readCounters(setup.deps, 'user-stranger', clock.now())).day).toMatchObject({ usedMicros: 0, requests: 0 });
  });

  it('reads an unchanged override once, however many turns it admits', async () => {
    // Prepare
    await setBudgetOverride(setup.deps, { actor: ADMIN, userId: 'user-steady', limits: { dailyLimitUsd: 50 } });
    sent.length = 0;
    // Act
    for (let i = 0; i < 3; i++) expect(await admitTurn(setup.deps, turn('user-steady'))).toMatchObject({ ok: true });
    // Assess
    // Two reads once (the change count, then the override), then one write per turn.
    expect(sent.filter((s) => s.command === 'GetItemCommand')).toHaveLength(2);
    expect(sent.filter((s) => s.command === 'UpdateItemCommand')).toHaveLength(3);
  });

  it('applies an override an admin set, changed or cleared after it was cached', async () => {
    // Prepare: a turn caches "no override".
    const userId = 'user-changing';
    expect(await admitTurn(setup.deps, turn(userId))).toMatchObject({ ok: true });
    // Act + Assess: the admin leaves the simulator out; the next turn must see it.
    await setBudgetOverride(setup.deps, { actor: ADMIN, userId, limits: { allowedModels: [OTHER_MODEL] } });
    const refused = turn(userId);
    expect(await admitTurn(setup.deps, refused)).toMatchObject({ ok: false, error: { code: 'ModelNotAllowed' } });
    expect(await getReservation(setup.deps, refused.requestId, userId)).toBeUndefined();
    // A changed override (same user, new terms) is seen too.
    await setBudgetOverride(setup.deps, { actor: ADMIN, userId, limits: { allowedModels: [OTHER_MODEL, SIMULATOR_MODEL_ID], maxOutputTokens: 16 } });
    expect(await admitTurn(setup.deps, turn(userId))).toMatchObject({ ok: true, maxTokens: 16 });
    // And a cleared one: back to the group's policy; then set again with the first terms (no stale cache).
    await clearBudgetOverride(setup.deps, { actor: ADMIN, userId });
    expect(await admitTurn(setup.deps, turn(userId))).toMatchObject({ ok: true, maxTokens: 1024 });
    await setBudgetOverride(setup.deps, { actor: ADMIN, userId, limits: { allowedModels: [OTHER_MODEL] } });
    expect(await admitTurn(setup.deps, turn(userId))).toMatchObject({ ok: false, error: { code: 'ModelNotAllowed' } });
  });
});
