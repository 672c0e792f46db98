import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { generateClient } from 'aws-amplify/api';
import { events } from 'aws-amplify/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../infra/local/bedrock/index.js';
import { dynamoDbClient } from '../../infra/local/dynamodb.js';
import type { Twin } from '../../infra/local/twin.js';
import { clearBudgetOverride, documentClient, setBudgetOverride, type LedgerDeps } from '../../functions/shared/ledger/index.js';
import type { EndEvent, ErrorEvent } from '../../schema/stream-protocol.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { subscribeToTurn } from '../helpers/chat-stream.js';
import { startTestTwin } from '../helpers/twin.js';

const CONVERSATION = /* GraphQL */ `
  query One($id: ID!) {
    conversation(id: $id) { id title messages { items { role text status costUsd } } }
  }
`;
interface ConversationResult {
  conversation: { id: string; title: string; messages: { items: { role: string; text: string; status: string; costUsd: number | null }[] } } | null;
}

const MODEL = 'sluice.simulator';
let counter = 0;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

describe('starting a chat turn by publishing to /prompts/{sub} over the Events socket', () => {
  let twin: Twin;
  let ddb: DynamoDBClient;
  let ledger: LedgerDeps;
  let aliceSub: string;
  let bobSub: string;

  /** Publishes `prompt` to the signed-in user's own prompts channel, through aws-amplify. */
  async function publishPrompt(prompt: Record<string, unknown>, sub = aliceSub): Promise<void> {
    const channel = await events.connect(`/prompts/${sub}`);
    try {
      // Amplify types events as DocumentType; a prompt is plain JSON.
      await channel.publish(prompt as Parameters<typeof channel.publish>[0]);
    } finally {
      await channel.close();
    }
  }
  async function requestCount(): Promise<number> {
    const result = await ddb.send(new ScanCommand({ TableName: twin.context.dynamodb.tableName('ChatRequests'), Select: 'COUNT', ConsistentRead: true }));
    return result.Count ?? 0;
  }
  async function conversation(id: string) {
    const result = (await generateClient().graphql({ query: CONVERSATION, variables: { id } })) as { data: ConversationResult };
    return result.data.conversation;
  }

  beforeAll(async () => {
    twin = await startTestTwin({ bedrockSpeed: 10, log: process.env.SLUICE_TEST_LOG ? console.log : undefined });
    configureAmplify(twin);
    const client = dynamoDbClient(twin.context.dynamodb.endpoint);
    ddb = client;
    ledger = { db: documentClient(client), tables: { budgets: twin.context.dynamodb.tableName('Budgets'), ledger: twin.context.dynamodb.tableName('Ledger') } };
    ({ sub: bobSub } = await signInAs(DEMO_USERS[1]));
    ({ sub: aliceSub } = await signInAs(DEMO_USERS[0]));
  });
  afterAll(async () => {
    await twin?.context.lambda.drain();
    ddb?.destroy();
    await twin?.close();
  });

  it('streams start, deltas and end on the chat channel and stores the conversation', async () => {
    // Prepare
    const conversationId = newId('conv');
    const prompt = 'Tell me about canals. [[sim:tokens=40]]';
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    // Act
    await publishPrompt({ conversationId, modelId: MODEL, prompt, maxTokens: 100 });
    const turn = await stream.until((t) => t.final !== undefined);
    // Assess
    expect(turn.events[0]).toMatchObject({ type: 'start', conversationId, model: MODEL, seq: 0 });
    expect(turn.events.map((e) => e.seq)).toEqual([...turn.events.keys()]);
    const end = turn.final as EndEvent;
    expect(end).toMatchObject({ type: 'end', stopReason: 'end_turn', requestId: turn.events[0].requestId });
    const expected = simulate({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: prompt }] }], inferenceConfig: { maxTokens: 100 } }, { models: { [MODEL]: {} } });
    expect(turn.text).toBe(expected.text);
    expect(end.usage).toMatchObject({ inputTokens: expected.usage.inputTokens, outputTokens: expected.usage.outputTokens });
    const stored = await conversation(conversationId);
    expect(stored?.title).toBe(prompt);
    expect(stored?.messages.items).toMatchObject([
      { role: 'USER', text: prompt },
      { role: 'ASSISTANT', text: turn.text, status: 'COMPLETE', costUsd: end.costUsd },
    ]);
    await stream.close();
  });

  it('starts one turn for a request id published twice', async () => {
    // Prepare
    const conversationId = newId('conv');
    const requestId = newId('req');
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    const prompt = { conversationId, requestId, modelId: MODEL, prompt: 'Once only. [[sim:tokens=10]]', maxTokens: 50 };
    const before = await requestCount();
    // Act
    await publishPrompt(prompt);
    await publishPrompt(prompt);
    const turn = await stream.until((t) => t.final !== undefined);
    await twin.context.lambda.drain();
    // Assess
    expect(turn.final).toMatchObject({ type: 'end', requestId });
    expect(stream.received.filter((e) => e.type === 'start')).toHaveLength(1);
    expect(await requestCount()).toBe(before + 1);
    expect((await conversation(conversationId))?.messages.items).toHaveLength(2);
    await stream.close();
  });

  it.each([
    ['an unknown model', { modelId: 'acme.unknown-model-v1', prompt: 'hi' }, 'ValidationError'],
    ['a model the group may not use', { modelId: 'anthropic.claude-opus-4-1-20250805-v1:0', prompt: 'hi' }, 'ModelNotAllowed'],
    ['an empty prompt', { modelId: MODEL, prompt: '   ' }, 'ValidationError'],
    ['an oversized prompt', { modelId: MODEL, prompt: 'x'.repeat(40_000) }, 'ValidationError'],
    ['maxTokens out of range', { modelId: MODEL, prompt: 'hi', maxTokens: 10_000_000 }, 'ValidationError'],
    ['maxTokens of zero', { modelId: MODEL, prompt: 'hi', maxTokens: 0 }, 'ValidationError'],
    ['an explicit maxTokens of -1', { modelId: MODEL, prompt: 'hi', maxTokens: -1 }, 'ValidationError'],
    ['a prompt that is not a string', { modelId: MODEL, prompt: 42 }, 'ValidationError'],
  ])('answers %s with an error event on the chat channel and starts nothing', async (_name, input, code) => {
    // Prepare
    const conversationId = newId('conv');
    const requestId = newId('req');
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    const before = await requestCount();
    // Act
    await publishPrompt({ conversationId, requestId, ...input });
    const turn = await stream.until((t) => t.final !== undefined);
    // Assess
    expect(turn.events).toHaveLength(1);
    expect(turn.final).toMatchObject({ type: 'error', requestId, seq: 0, code, retryable: false });
    expect((turn.final as ErrorEvent).message.length).toBeGreaterThan(0);
    expect(await requestCount()).toBe(before);
    expect(await conversation(conversationId)).toBeNull();
    await stream.close();
  });

  it('refuses a publish whose conversationId cannot name a chat channel', async () => {
    // Prepare
    const before = await requestCount();
    // Act
    const publishing = publishPrompt({ conversationId: 'not/a/channel', modelId: MODEL, prompt: 'hi' });
    // Assess
    await expect(publishing).rejects.toThrow(/ValidationError/);
    expect(await requestCount()).toBe(before);
  });

  it("refuses a publish to another user's prompts channel", async () => {
    // Prepare
    const before = await requestCount();
    // Act
    const publishing = publishPrompt({ conversationId: newId('conv'), modelId: MODEL, prompt: 'spend it' }, bobSub);
    // Assess
    await expect(publishing).rejects.toThrow(/Unauthorized/);
    await twin.context.lambda.drain();
    expect(await requestCount()).toBe(before);
  });

  it('lets a user subscribe to its own prompts channel', async () => {
    const channel = await events.connect(`/prompts/${aliceSub}`);
    const subscription = channel.subscribe({ next: () => undefined, error: () => undefined });
    await expect(subscription.ready).resolves.toMatchObject({ subscriptionId: expect.any(String) });
    await channel.close();
  });

  it("does not let a user subscribe to another user's prompts channel", async () => {
    // Act
    const channel = await events.connect(`/prompts/${bobSub}`);
    const subscription = channel.subscribe({ next: () => undefined, error: () => undefined });
    // Assess
    await expect(subscription.ready).rejects.toThrow(/Unauthorized/);
    await channel.close();
  });

  it("admits maxTokens above the groups' cap when an admin's override raises it, as startChat does", async () => {
    // Prepare: `users` cap output at 2,048 tokens; the override allows 4,096.
    await setBudgetOverride(ledger, { actor: { userId: 'test-admin', username: 'test-admin' }, userId: aliceSub, limits: { maxOutputTokens: 4096 } });
    try {
      const conversationId = newId('conv');
      const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
      // Act
      await publishPrompt({ conversationId, modelId: MODEL, prompt: 'Short. [[sim:tokens=5]]', maxTokens: 4000 });
      const turn = await stream.until((t) => t.final !== undefined);
      // Assess
      expect(turn.final).toMatchObject({ type: 'end' });
      await stream.close();
    } finally {
      await clearBudgetOverride(ledger, { actor: { userId: 'test-admin', username: 'test-admin' }, userId: aliceSub });
    }
  });

  it('answers a turn over budget with a BudgetExceeded error event', async () => {
    // Prepare: a budget far below the cheapest turn's worst case.
    await setBudgetOverride(ledger, { actor: { userId: 'test-admin', username: 'test-admin' }, userId: aliceSub, limits: { dailyLimitUsd: 0.000001 } });
    try {
      const conversationId = newId('conv');
      const requestId = newId('req');
      const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
      const before = await requestCount();
      // Act
      await publishPrompt({ conversationId, requestId, modelId: MODEL, prompt: 'An expensive question', maxTokens: 2000 });
      const turn = await stream.until((t) => t.final !== undefined);
      // Assess
      expect(turn.events).toHaveLength(1);
      expect(turn.final).toMatchObject({ type: 'error', requestId, seq: 0, code: 'BudgetExceeded', retryable: false });
      expect(await requestCount()).toBe(before);
      await stream.close();
    } finally {
      await clearBudgetOverride(ledger, { actor: { userId: 'test-admin', username: 'test-admin' }, userId: aliceSub });
    }
  });
});
