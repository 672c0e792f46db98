/**
 * The streaming Lambda's turn (functions/chat-stream/run-turn.ts) against DynamoDB Local and
 * the Bedrock simulator: what it reads before it calls the model, and that a turn delivered
 * twice streams once. The end-to-end path (GraphQL, Events) is chat-turn.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTurn, type TurnDependencies } from '../../functions/chat-stream/run-turn.js';
import { ConversationStore, newMessageId } from '../../functions/shared/conversation-store.js';
import { documentClient } from '../../functions/shared/ledger/index.js';
import type { ChatTurnRequest, StreamEvent } from '../../functions/shared/protocol.js';
import { turnRecordItems } from '../../functions/shared/turn-record.js';
import { gateway } from '../../infra/gateway.js';
import { bedrockClientConfig } from '../../infra/local/bedrock/index.js';
import { startSideServices } from '../../infra/local/components.js';
import { dynamoDbClient, ensureTables, physicalTableName } from '../../infra/local/dynamodb.js';
import { sharedBackingServices } from '../helpers/services.js';

const TABLES = ['ChatRequests', 'Conversations', 'Messages'] as const;

let sideServices: Awaited<ReturnType<typeof startSideServices>>;
let bedrock: BedrockRuntimeClient;
let dynamo: ReturnType<typeof dynamoDbClient>;
let store: ConversationStore;
let tables: Record<(typeof TABLES)[number], string>;
/** DynamoDB commands sent, by name, counted by a middleware on the real client. */
const commandsSent: string[] = [];
/** Requests that left for the Bedrock simulator: counted where the SDK hands them to HTTP/2. */
let modelRequestsSent = 0;

beforeAll(async () => {
  dynamo = dynamoDbClient(sharedBackingServices().dynamodb.endpoint);
  const prefix = `turn${randomBytes(4).toString('hex')}_`;
  await ensureTables(dynamo, gateway.tables.filter((t) => (TABLES as readonly string[]).includes(t.name)), prefix);
  tables = { ChatRequests: physicalTableName(prefix, { name: 'ChatRequests' }), Conversations: physicalTableName(prefix, { name: 'Conversations' }), Messages: physicalTableName(prefix, { name: 'Messages' }) };
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

/** An admitted turn, recorded as admission records it (request `admitted`, conversation, user's message). */
async function admittedTurn(overrides: Partial<ChatTurnRequest> = {}): Promise<ChatTurnRequest> {
  const request: ChatTurnRequest = {
    requestId: randomUUID(),
    userId: 'user-1',
    conversationId: `c${randomBytes(6).toString('hex')}`,
    modelId: 'sluice.simulator',
    prompt: `Tell me something. [[sim:tokens=12]] ${randomUUID()}`,
    maxTokens: 100,
    groups: ['users'],
    policyGroup: 'users',
    ...overrides,
  };
  const now = new Date();
  const items = turnRecordItems(
    { ...request, createdAt: now.toISOString() },
    { requests: tables.ChatRequests, conversations: tables.Conversations, messages: tables.Messages },
    { nowEpochSeconds: Math.floor(now.getTime() / 1000), messageId: newMessageId(now), newConversation: request.newConversation },
  );
  await documentClient(dynamo).send(new TransactWriteCommand({ TransactItems: items }));
  return request;
}

/** The turn's dependencies with a publisher that records what subscribers would see. */
function turnDeps() {
  const published: StreamEvent[] = [];
  const deps: TurnDependencies = {
    bedrock,
    store,
    publisher: {
      async publish(_channel: string, events: unknown[]) {
        published.push(...(events as StreamEvent[]));
        return { successful: events.map((_, index) => ({ identifier: `id-${index}`, index })), failed: [] };
      },
    },
    settle: async () => ({ costUsd: 0 }),
  };
  return { deps, published };
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
    const followUp = await admittedTurn({ prompt, conversationId: first.conversationId });
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
    const failingStore = Object.create(store) as ConversationStore;
    failingStore.claimTurn = () => Promise.reject(new Error('DynamoDB is unavailable'));
    const requestsBefore = modelRequestsSent;
    // Act
    const outcome = runTurn(request, { ...deps, store: failingStore });
    // Assess
    await expect(outcome).rejects.toThrow('DynamoDB is unavailable');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(modelRequestsSent - requestsBefore).toBe(0);
    expect(published).toEqual([]);
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
  });
});
