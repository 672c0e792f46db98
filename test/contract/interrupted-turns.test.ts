/**
 * Turns whose function died mid-stream (functions/shared/interrupted-turn.ts), against
 * DynamoDB Local, the real ledger and the Bedrock simulator: the sweeper ends a claimed
 * turn once its reservation expires (text kept from the checkpoint, billed for what was
 * produced, the reserve released, an `error` event published) and releases one never
 * claimed; a second pass bills nothing more; and Lambda's retry of the invocation that
 * died ends the turn without calling the model again.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTurn, type TurnDependencies } from '../../functions/chat-stream/run-turn.js';
import { ConversationStore } from '../../functions/shared/conversation-store.js';
import { endInterruptedTurn } from '../../functions/shared/interrupted-turn.js';
import { claimReservation, documentClient, getReservation, isCancelRequested, readCounters, reserve, settle, sweepExpiredReservations, type LedgerDeps } from '../../functions/shared/ledger/index.js';
import { effectivePolicy } from '../../functions/shared/policy.js';
import type { ChatTurnRequest, StreamEvent } from '../../schema/stream-protocol.js';
import { gateway } from '../../infra/gateway.js';
import { bedrockClientConfig } from '../../infra/local/bedrock/index.js';
import { startSideServices } from '../../infra/local/components.js';
import { dynamoDbClient, ensureTables, physicalTableName } from '../../infra/local/dynamodb.js';
import { sharedBackingServices } from '../helpers/services.js';

const TABLES = ['ChatRequests', 'Conversations', 'Messages', 'Budgets', 'Ledger'] as const;
const policy = effectivePolicy(['users']);
/** Past every reservation's expiry (16 min): what the sweeper sees once a dead turn's time is up. */
const AFTER_EXPIRY = () => new Date(Date.now() + 17 * 60_000);

let sideServices: Awaited<ReturnType<typeof startSideServices>>;
let bedrock: BedrockRuntimeClient;
let dynamo: ReturnType<typeof dynamoDbClient>;
let store: ConversationStore;
let tables: Record<(typeof TABLES)[number], string>;
let ledger: LedgerDeps;
let modelRequestsSent = 0;
const published: { channel: string; events: StreamEvent[] }[] = [];
const publisher = {
  async publish(channel: string, events: unknown[]) {
    published.push({ channel, events: events as StreamEvent[] });
    return { successful: events.map((_, index) => ({ identifier: `id-${index}`, index })), failed: [] };
  },
};

beforeAll(async () => {
  dynamo = dynamoDbClient(sharedBackingServices().dynamodb.endpoint);
  const prefix = `crash${randomBytes(4).toString('hex')}_`;
  await ensureTables(dynamo, gateway.tables.filter((t) => (TABLES as readonly string[]).includes(t.name)), prefix);
  tables = Object.fromEntries(TABLES.map((name) => [name, physicalTableName(prefix, { name })])) as typeof tables;
  ledger = { db: documentClient(dynamo), tables: { budgets: tables.Budgets, ledger: tables.Ledger } };
  store = new ConversationStore(documentClient(dynamo), { requests: tables.ChatRequests, conversations: tables.Conversations, messages: tables.Messages });
  sideServices = await startSideServices({ bedrockSpeed: Infinity });
  bedrock = new BedrockRuntimeClient(bedrockClientConfig(sideServices.bedrockEndpoint));
  const transport = bedrock.config.requestHandler as { handle: (...args: unknown[]) => Promise<unknown> };
  const transmit = transport.handle.bind(transport);
  transport.handle = (...args: unknown[]) => {
    modelRequestsSent++;
    return transmit(...args);
  };
});

afterAll(async () => {
  bedrock?.destroy();
  dynamo?.destroy();
  await sideServices?.close();
});

async function admittedTurn(): Promise<ChatTurnRequest> {
  const request: ChatTurnRequest = {
    requestId: randomUUID(),
    userId: `user-${randomBytes(3).toString('hex')}`,
    conversationId: `c${randomBytes(6).toString('hex')}`,
    modelId: 'sluice.simulator',
    prompt: `Tell me something long. [[sim:tokens=400]] ${randomUUID()}`,
    maxTokens: 1000,
    groups: ['users'],
    policyGroup: 'users',
    createdAt: new Date().toISOString(),
    newConversation: true,
  };
  const admitted = await reserve(ledger, { userId: request.userId, requestId: request.requestId, modelId: request.modelId, inputTokensEstimate: 100, maxOutputTokens: request.maxTokens, policy, conversationId: request.conversationId });
  if (!admitted.ok) throw new Error(admitted.error.message);
  return request;
}

/** What a function that died mid-stream left: its claim (by `invocationId`), its record and a checkpoint. */
async function diedMidStream(request: ChatTurnRequest, invocationId: string, text: string, nextSeq: number) {
  expect(await claimReservation(ledger, { userId: request.userId, requestId: request.requestId, invocationId })).toMatchObject({ won: true });
  await store.recordTurn({ ...request, createdAt: request.createdAt! }, new Date());
  await store.checkpoint(request.requestId, text, nextSeq, new Date());
}

const interruptedDeps = () => ({ ledger, store, publisher });

async function storedMessages(conversationId: string) {
  const { Items } = await documentClient(dynamo).send(
    new QueryCommand({ TableName: tables.Messages, KeyConditionExpression: 'conversationId = :c', ExpressionAttributeValues: { ':c': conversationId }, ConsistentRead: true }),
  );
  return (Items ?? []) as { role: string; text: string; status: string; costUsd?: number; usage?: { outputTokens: number } }[];
}

async function recordOf(requestId: string) {
  return (await documentClient(dynamo).send(new GetCommand({ TableName: tables.ChatRequests, Key: { requestId }, ConsistentRead: true }))).Item;
}

describe('turns whose function died', () => {
  it('the sweeper ends a claimed one at expiry (text kept, billed for it, reserve released, error published) and releases one never claimed', async () => {
    const died = await admittedTurn();
    const neverStarted = await admittedTurn();
    const kept = 'The answer had got this far when';
    await diedMidStream(died, 'invocation-1', kept, 7);

    const before = await sweepExpiredReservations(ledger, { now: new Date(), endClaimed: (turn) => endInterruptedTurn(interruptedDeps(), turn) });
    const swept = await sweepExpiredReservations(ledger, { now: AFTER_EXPIRY(), endClaimed: (turn) => endInterruptedTurn(interruptedDeps(), turn) });

    // Nothing is touched before expiry.
    expect(before.endedRequestIds).not.toContain(died.requestId);
    expect(before.requestIds).not.toContain(neverStarted.requestId);
    expect(swept.endedRequestIds).toContain(died.requestId);
    expect(swept.requestIds).toContain(neverStarted.requestId);
    // The dead turn: its text kept as an incomplete answer, billed for what was produced.
    const messages = await storedMessages(died.conversationId);
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'incomplete'],
    ]);
    expect(messages[1]).toMatchObject({ text: kept, usage: { outputTokens: Math.ceil(kept.length / 4) } });
    const bill = await getReservation(ledger, died.requestId, died.userId);
    expect(bill).toMatchObject({ status: 'settled', outcome: 'failed', usage: { inputTokens: 100, outputTokens: Math.ceil(kept.length / 4) } });
    expect(bill?.costMicros).toBeGreaterThan(0);
    expect(messages[1].costUsd).toBe(bill!.costMicros! / 1e6);
    expect(await recordOf(died.requestId)).toMatchObject({ status: 'failed', errorCode: 'TurnInterrupted' });
    expect((await readCounters(ledger, died.userId, new Date())).day).toMatchObject({ reservedMicros: 0, spentMicros: bill!.costMicros });
    expect(published.find((p) => p.channel === `/chat/${died.userId}/${died.conversationId}`)?.events).toEqual([
      expect.objectContaining({ type: 'error', requestId: died.requestId, seq: 7, code: 'TurnInterrupted', retryable: true }),
    ]);
    // The turn never started: released, billed nothing, no message.
    expect(await getReservation(ledger, neverStarted.requestId, neverStarted.userId)).toMatchObject({ status: 'expired' });
    expect((await readCounters(ledger, neverStarted.userId, new Date())).day).toMatchObject({ usedMicros: 0, spentMicros: 0 });
    expect(await storedMessages(neverStarted.conversationId)).toEqual([]);
    // cancelChat's condition (an open entry) no longer holds: the turn is not running.
    expect(await isCancelRequested(ledger, { userId: died.userId, requestId: died.requestId })).toBe(false);

    // Ended again (the twin's start after another crash): nothing more is billed or stored.
    const again = await endInterruptedTurn(interruptedDeps(), { userId: died.userId, requestId: died.requestId });
    expect(again.ended).toBe(false);
    expect((await readCounters(ledger, died.userId, new Date())).day).toMatchObject({ reservedMicros: 0, spentMicros: bill!.costMicros });
    expect(await storedMessages(died.conversationId)).toHaveLength(2);
  });

  it("Lambda's retry of the invocation that died ends the turn without calling the model; another delivery does nothing", async () => {
    const request = await admittedTurn();
    await diedMidStream(request, 'invocation-2', 'Half an answer', 3);
    const deps = (invocationId: string): TurnDependencies => ({
      bedrock,
      store,
      publisher,
      ledger: {
        claim: (turn) => claimReservation(ledger, { userId: turn.userId, requestId: turn.requestId, invocationId }),
        isCancelRequested: (turn) => isCancelRequested(ledger, { userId: turn.userId, requestId: turn.requestId }),
      },
      endInterrupted: (turn) => endInterruptedTurn(interruptedDeps(), { userId: turn.userId, requestId: turn.requestId }),
      settle: async ({ request: turn, usage, outcome }) => {
        const result = await settle(ledger, { userId: turn.userId, requestId: turn.requestId, usage, outcome });
        if (!result.ok) throw new Error(result.error.message);
        return { costUsd: result.settlement.costUsd };
      },
    });
    const modelCallsBefore = modelRequestsSent;

    const otherDelivery = await runTurn(request, deps('invocation-3'));
    expect(otherDelivery.status).toBe('duplicate');
    expect(await recordOf(request.requestId)).toMatchObject({ status: 'streaming' });

    const retry = await runTurn(request, deps('invocation-2'));
    expect(retry.status).toBe('interrupted');
    expect(modelRequestsSent).toBe(modelCallsBefore);
    expect((await storedMessages(request.conversationId)).map((m) => [m.role, m.status, m.text])).toEqual([
      ['user', 'complete', request.prompt],
      ['assistant', 'incomplete', 'Half an answer'],
    ]);
    expect(await getReservation(ledger, request.requestId, request.userId)).toMatchObject({ status: 'settled', outcome: 'failed' });
  });
});
