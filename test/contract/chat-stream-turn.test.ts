/**
 * The streaming Lambda's turn (functions/chat-stream/run-turn.ts) against DynamoDB Local and
 * the Bedrock simulator, admitted by the real ledger: what it does before it calls the
 * model (the claim, its one write), that a turn delivered twice streams once, and that the
 * user's message is stored exactly when the turn was admitted and claimed. The end-to-end
 * path (GraphQL, Events) is chat-turn.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTurn, type TurnDependencies, type TurnLedger } from '../../functions/chat-stream/run-turn.js';
import { ConversationStore } from '../../functions/shared/conversation-store.js';
import { budgetKey, claimReservation, documentClient, getReservation, isCancelRequested, readCounters, reserve, settle, sweepExpiredReservations, type LedgerDeps } from '../../functions/shared/ledger/index.js';
import { effectivePolicy } from '../../functions/shared/policy.js';
import type { ChatTurnRequest, StreamEvent } from '../../schema/stream-protocol.js';
import { gateway } from '../../infra/gateway.js';
import { bedrockClientConfig } from '../../infra/local/bedrock/index.js';
import { startSideServices } from '../../infra/local/components.js';
import { dynamoDbClient, ensureTables, physicalTableName } from '../../infra/local/dynamodb.js';
import { sharedBackingServices } from '../helpers/services.js';

const TABLES = ['ChatRequests', 'Conversations', 'Messages', 'Budgets', 'Ledger'] as const;
const policy = effectivePolicy(['users']);

let sideServices: Awaited<ReturnType<typeof startSideServices>>;
let bedrock: BedrockRuntimeClient;
let dynamo: ReturnType<typeof dynamoDbClient>;
let store: ConversationStore;
let tables: Record<(typeof TABLES)[number], string>;
let ledger: LedgerDeps;
/** DynamoDB commands sent, by name, counted by a middleware on the real client. */
const commandsSent: string[] = [];
/** Requests that left for the Bedrock simulator: counted where the SDK hands them to HTTP/2. */
let modelRequestsSent = 0;

beforeAll(async () => {
  dynamo = dynamoDbClient(sharedBackingServices().dynamodb.endpoint);
  const prefix = `turn${randomBytes(4).toString('hex')}_`;
  await ensureTables(dynamo, gateway.tables.filter((t) => (TABLES as readonly string[]).includes(t.name)), prefix);
  tables = Object.fromEntries(TABLES.map((name) => [name, physicalTableName(prefix, { name })])) as typeof tables;
  ledger = { db: documentClient(dynamo), tables: { budgets: tables.Budgets, ledger: tables.Ledger } };
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      commandsSent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
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

/** A turn admitted by the ledger (one write on the user's budget item), not yet claimed. */
async function admittedTurn(overrides: Partial<ChatTurnRequest> = {}): Promise<ChatTurnRequest> {
  const request: ChatTurnRequest = {
    requestId: randomUUID(),
    userId: `user-${randomBytes(3).toString('hex')}`,
    conversationId: `c${randomBytes(6).toString('hex')}`,
    modelId: 'sluice.simulator',
    prompt: `Tell me something. [[sim:tokens=12]] ${randomUUID()}`,
    maxTokens: 100,
    groups: ['users'],
    policyGroup: 'users',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
  const admitted = await reserve(ledger, { userId: request.userId, requestId: request.requestId, modelId: request.modelId, inputTokensEstimate: 100, maxOutputTokens: request.maxTokens, policy, conversationId: request.conversationId });
  if (!admitted.ok) throw new Error(admitted.error.message);
  return request;
}

const realLedger = (): TurnLedger => ({
  claim: (request) => claimReservation(ledger, { userId: request.userId, requestId: request.requestId }),
  isCancelRequested: (request) => isCancelRequested(ledger, { userId: request.userId, requestId: request.requestId }),
});

/** The turn's dependencies with a publisher that records what subscribers would see, settling in the real ledger. */
function turnDeps() {
  const published: StreamEvent[] = [];
  const deps: TurnDependencies = {
    bedrock,
    store,
    ledger: realLedger(),
    publisher: {
      async publish(_channel: string, events: unknown[]) {
        published.push(...(events as StreamEvent[]));
        return { successful: events.map((_, index) => ({ identifier: `id-${index}`, index })), failed: [] };
      },
    },
    settle: async ({ request, usage, outcome }) => {
      const result = await settle(ledger, { userId: request.userId, requestId: request.requestId, usage, outcome });
      if (!result.ok) throw new Error(result.error.message);
      return { costUsd: result.settlement.costUsd };
    },
  };
  return { deps, published };
}

/** The messages stored in a conversation, oldest first. */
async function storedMessages(conversationId: string) {
  const { Items } = await documentClient(dynamo).send(
    new QueryCommand({ TableName: tables.Messages, KeyConditionExpression: 'conversationId = :c', ExpressionAttributeValues: { ':c': conversationId }, ConsistentRead: true }),
  );
  return (Items ?? []) as { role: string; text: string; requestId: string }[];
}

describe('a streaming turn before the model call', () => {
  it('goes straight from the claim to the model for a conversation admission just created: no history query', async () => {
    // Prepare
    const request = await admittedTurn({ newConversation: true });
    const { deps, published } = turnDeps();
    commandsSent.length = 0;
    // Act
    const outcome = await runTurn(request, deps);
    // Assess
    expect(outcome).toMatchObject({ status: 'completed' });
    expect(commandsSent).not.toContain('QueryCommand');
    expect(published[0]).toMatchObject({ type: 'start', seq: 0 });
    expect(published.at(-1)).toMatchObject({ type: 'end', stopReason: 'end_turn' });
  });

  it('sends the stored history of an existing conversation to the model', async () => {
    // Prepare: one finished exchange, then a follow-up with the same prompt as a fresh turn.
    const prompt = `And then? [[sim:tokens=8]] ${randomUUID()}`;
    const first = await admittedTurn({ prompt: `Start a story. [[sim:tokens=40]] ${randomUUID()}` });
    await runTurn(first, turnDeps().deps);
    const fresh = await admittedTurn({ prompt, newConversation: true });
    const freshOutcome = await runTurn(fresh, turnDeps().deps);
    const followUp = await admittedTurn({ prompt, conversationId: first.conversationId, userId: first.userId });
    commandsSent.length = 0;
    // Act
    const outcome = await runTurn(followUp, turnDeps().deps);
    // Assess: the history was read and the model saw it (more input tokens than the bare prompt).
    expect(outcome.status).toBe('completed');
    expect(commandsSent.filter((name) => name === 'QueryCommand')).toHaveLength(1);
    expect(outcome.usage!.inputTokens).toBeGreaterThan(freshOutcome.usage!.inputTokens + 40);
  });

  it('fails the invocation when the claim cannot be written, and sends nothing to Bedrock', async () => {
    // Prepare: DynamoDB refuses the claim (a throttled or failed write), so Lambda must retry the turn.
    const request = await admittedTurn({ newConversation: true });
    const { deps, published } = turnDeps();
    const failingLedger: TurnLedger = { ...realLedger(), claim: () => Promise.reject(new Error('DynamoDB is unavailable')) };
    const requestsBefore = modelRequestsSent;
    // Act
    const outcome = runTurn(request, { ...deps, ledger: failingLedger });
    // Assess
    await expect(outcome).rejects.toThrow('DynamoDB is unavailable');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(modelRequestsSent - requestsBefore).toBe(0);
    expect(published).toEqual([]);
    expect(await storedMessages(request.conversationId)).toEqual([]);
  });

  it('streams a turn delivered twice only once, and calls the model once', async () => {
    // Prepare: Lambda may deliver one asynchronous invocation twice, even at the same moment.
    const request = await admittedTurn({ newConversation: true });
    const first = turnDeps();
    const second = turnDeps();
    const requestsBefore = modelRequestsSent;
    // Act
    const outcomes = await Promise.all([runTurn(request, first.deps), runTurn(request, second.deps)]);
    // Assess: the losing delivery's request was prepared but never left for Bedrock.
    expect(outcomes.map((o) => o.status).sort()).toEqual(['completed', 'duplicate']);
    expect(modelRequestsSent - requestsBefore).toBe(1);
    const starts = [...first.published, ...second.published].filter((e) => e.type === 'start');
    expect(starts).toHaveLength(1);
    expect((await storedMessages(request.conversationId)).map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('writes only the claim before the model call, and stores the user\'s message once the claim is won', async () => {
    // Prepare
    const request = await admittedTurn({ newConversation: true });
    const { deps } = turnDeps();
    const writesBeforeModel: string[] = [];
    const requestsBefore = modelRequestsSent;
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        if (modelRequestsSent === requestsBefore && !['GetItemCommand', 'QueryCommand'].includes(context.commandName ?? '')) writesBeforeModel.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'writesBeforeModel' },
    );
    try {
      // Act
      const outcome = await runTurn(request, deps);
      // Assess: one conditional UpdateItem (the claim) left before the model request did.
      expect(outcome.status).toBe('completed');
      expect(writesBeforeModel).toEqual(['UpdateItemCommand']);
    } finally {
      dynamo.middlewareStack.remove('writesBeforeModel');
    }
    expect(await storedMessages(request.conversationId)).toEqual([
      expect.objectContaining({ role: 'user', text: request.prompt, requestId: request.requestId }),
      expect.objectContaining({ role: 'assistant', requestId: request.requestId }),
    ]);
  });

  it('leaves no message and no cost for a turn never claimed: the sweeper releases it', async () => {
    // Prepare: admitted with a reservation that expires at once, and its Lambda never runs.
    const request = await admittedTurn({ newConversation: true });
    // Act
    const swept = await sweepExpiredReservations(ledger, new Date(Date.now() + 17 * 60_000));
    // Assess
    expect(swept.requestIds).toContain(request.requestId);
    expect((await getReservation(ledger, request.requestId, request.userId))?.status).toBe('expired');
    expect((await readCounters(ledger, request.userId, new Date())).day).toMatchObject({ usedMicros: 0, spentMicros: 0 });
    expect(await storedMessages(request.conversationId)).toEqual([]);
    // A late delivery finds nothing to claim and never calls the model.
    const requestsBefore = modelRequestsSent;
    expect(await runTurn(request, turnDeps().deps)).toMatchObject({ status: 'duplicate' });
    expect(modelRequestsSent - requestsBefore).toBe(0);
  });

  it('ends a turn cancelled before its claim without calling the model, billed nothing', async () => {
    // Prepare: the user cancels before the Lambda runs (cancelChat flags the open entry).
    const request = await admittedTurn({ newConversation: true });
    await documentClient(dynamo).send(
      new UpdateCommand({ TableName: tables.Budgets, Key: budgetKey(request.userId), UpdateExpression: 'SET #r.z = :yes', ExpressionAttributeNames: { '#r': `R#${request.requestId}` }, ExpressionAttributeValues: { ':yes': true } }),
    );
    const { deps, published } = turnDeps();
    const requestsBefore = modelRequestsSent;
    // Act
    const outcome = await runTurn(request, deps);
    // Assess
    expect(outcome).toMatchObject({ status: 'cancelled', costUsd: 0 });
    expect(modelRequestsSent - requestsBefore).toBe(0);
    expect(published.at(-1)).toMatchObject({ type: 'end', stopReason: 'cancelled' });
    expect((await readCounters(ledger, request.userId, new Date())).day).toMatchObject({ usedMicros: 0, reservedMicros: 0 });
  });

  /** What the SDK throws when DynamoDB cannot be reached: a socket error, not an AWS answer. */
  const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

  it('rides out DynamoDB being unreachable at the end of a turn: the bill and the answer are written once it is back', async () => {
    // Prepare: the first two settles and the first answer write find DynamoDB unreachable.
    const request = await admittedTurn({ newConversation: true });
    const { deps, published } = turnDeps();
    const settleForReal = deps.settle;
    let settles = 0;
    deps.settle = async (args) => (++settles <= 2 ? Promise.reject(unreachable()) : settleForReal(args));
    const addForReal = store.addMessage.bind(store);
    let adds = 0;
    deps.store = Object.assign(Object.create(store) as ConversationStore, {
      addMessage: (...args: Parameters<ConversationStore['addMessage']>) => (++adds === 1 ? Promise.reject(unreachable()) : addForReal(...args)),
    });
    // Act
    const outcome = await runTurn(request, deps);
    // Assess: the user saw the end; billed once; one answer stored.
    expect(outcome.status).toBe('completed');
    expect(settles).toBe(3);
    expect(published.at(-1)).toMatchObject({ type: 'end', costUsd: outcome.costUsd });
    expect((await readCounters(ledger, request.userId, new Date())).day).toMatchObject({ reservedMicros: 0, spentMicros: Math.round(outcome.costUsd! * 1e6) });
    expect((await storedMessages(request.conversationId)).map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('ends the stream with a retryable ServiceUnavailable error when the bill still cannot be written, and fails the invocation', async () => {
    // Prepare: DynamoDB stays unreachable for the settle, past a short window.
    const request = await admittedTurn({ newConversation: true });
    const { deps, published } = turnDeps();
    deps.settle = () => Promise.reject(unreachable());
    deps.outageWindowMs = 300;
    // Act
    const run = runTurn(request, deps);
    // Assess: Lambda sees the failure (and retries); the user's stream is not left open.
    await expect(run).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(published.at(-1)).toMatchObject({ type: 'error', code: 'ServiceUnavailable', retryable: true });
    expect(published.filter((e) => e.type === 'end')).toEqual([]);
  });
});
