import { GetItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { generateClient } from 'aws-amplify/api';
import { events } from 'aws-amplify/data';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { countTokens, simulate } from '../../infra/local/bedrock/index.js';
import { defaultComponents } from '../../infra/local/components.js';
import { dynamoDbClient } from '../../infra/local/dynamodb.js';
import { METRICS_CAPTURE_PATH } from '../../infra/local/metrics-capture.js';
import { MetricName } from '../../functions/shared/metrics.js';
import type { Twin } from '../../infra/local/twin.js';
import type { EndEvent, ErrorEvent } from '../../schema/stream-protocol.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { subscribeToTurn } from '../helpers/chat-stream.js';
import { graphqlFailure } from '../helpers/graphql.js';
import { flakyPublishes } from '../helpers/flaky-publishes.js';
import { startTestTwin } from '../helpers/twin.js';

const START_CHAT = /* GraphQL */ `
  mutation Start($input: StartChatInput!) {
    startChat(input: $input) { requestId conversationId channel status }
  }
`;
const CANCEL_CHAT = /* GraphQL */ `
  mutation Cancel($requestId: ID!) { cancelChat(requestId: $requestId) { requestId status } }
`;
const CONVERSATION = /* GraphQL */ `
  query One($id: ID!) {
    conversation(id: $id) { id messages { items { role text status costUsd usage { inputTokens outputTokens } } } }
  }
`;

interface StartResult {
  startChat: { requestId: string; conversationId: string; channel: string; status: string };
}
interface ConversationResult {
  conversation: { messages: { items: { role: string; text: string; status: string; costUsd: number | null; usage: { inputTokens: number; outputTokens: number } | null }[] } };
}

const MODEL = 'sluice.simulator';
let conversationCounter = 0;
const newConversationId = () => `conv-${Date.now().toString(36)}-${++conversationCounter}`;

describe('a chat turn end to end: GraphQL start, Lambda, Bedrock simulator, Events stream', () => {
  let twin: Twin;
  /** What the twin's console shows: the functions' lines under their names. */
  const twinLog: string[] = [];
  let ddb: DynamoDBClient;
  let aliceSub: string;
  const flaky = flakyPublishes();
  const client = () => generateClient();

  async function start(input: { conversationId: string; newConversation?: boolean; prompt: string; maxTokens?: number; modelId?: string }) {
    const result = (await client().graphql({ query: START_CHAT, variables: { input: { modelId: MODEL, ...input } } })) as { data: StartResult };
    return result.data.startChat;
  }
  async function storedMessages(conversationId: string) {
    const result = (await client().graphql({ query: CONVERSATION, variables: { id: conversationId } })) as { data: ConversationResult };
    return result.data.conversation.messages.items;
  }

  beforeAll(async () => {
    // Fast pacing keeps the suite quick; the cancel test asks for a long answer instead.
    twin = await startTestTwin({
      bedrockSpeed: 10,
      components: [flaky.component, ...defaultComponents],
      log: (line) => {
        twinLog.push(line);
        if (process.env.SLUICE_TEST_LOG) console.log(line);
      },
    });
    configureAmplify(twin);
    ddb = dynamoDbClient(twin.context.dynamodb.endpoint);
    ({ sub: aliceSub } = await signInAs(DEMO_USERS[0]));
  });
  afterAll(async () => {
    ddb?.destroy();
    await twin?.close();
  });

  it('streams start, ordered deltas equal to the stored answer, and end with the simulator usage', async () => {
    // Prepare
    const conversationId = newConversationId();
    const prompt = 'Tell me about rivers. [[sim:tokens=60]]';
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    // Act
    const turn = await start({ conversationId, prompt, maxTokens: 200 });
    const collected = await stream.until((t) => t.final !== undefined);
    // Assess
    expect(turn.channel).toBe(`/chat/${aliceSub}/${conversationId}`);
    expect(collected.events[0]).toMatchObject({ type: 'start', requestId: turn.requestId, conversationId, model: MODEL, seq: 0 });
    expect(collected.events.map((e) => e.seq)).toEqual([...collected.events.keys()]);
    const end = collected.final as EndEvent;
    expect(end.type).toBe('end');
    expect(end.stopReason).toBe('end_turn');
    const expected = simulate({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: prompt }] }], inferenceConfig: { maxTokens: 200 } }, { models: { [MODEL]: {} } });
    expect(collected.text).toBe(expected.text);
    expect(end.usage).toMatchObject({ inputTokens: expected.usage.inputTokens, outputTokens: expected.usage.outputTokens });
    expect(end.costUsd).toBeGreaterThan(0);
    const messages = await storedMessages(conversationId);
    expect(messages.map((m) => m.role)).toEqual(['USER', 'ASSISTANT']);
    expect(messages[1]).toMatchObject({ text: collected.text, status: 'COMPLETE', costUsd: end.costUsd });
    await stream.close();
  });

  it('starts a conversation the client names as new, continues it with its history, and refuses to start it again', async () => {
    // Prepare
    const conversationId = newConversationId();
    const firstPrompt = `Name a river. [[sim:tokens=20]] ${conversationId}`;
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    // Act: the first turn says it creates the conversation; the second continues it.
    const first = await start({ conversationId, newConversation: true, prompt: firstPrompt, maxTokens: 100 });
    const firstEnd = (await stream.until((t) => t.final !== undefined)).final as EndEvent;
    const followUp = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    await start({ conversationId, prompt: 'And another? [[sim:tokens=5]]', maxTokens: 100 });
    const followUpEnd = (await followUp.until((t) => t.final !== undefined)).final as EndEvent;
    const requestsBefore = (await ddb.send(new ScanCommand({ TableName: twin.context.dynamodb.tableName('ChatRequests'), Select: 'COUNT' }))).Count;
    const again = await graphqlFailure(client().graphql({ query: START_CHAT, variables: { input: { modelId: MODEL, conversationId, newConversation: true, prompt: 'Once more' } } }));
    // Assess
    expect(first.conversationId).toBe(conversationId);
    const bare = simulate({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: firstPrompt }] }], inferenceConfig: { maxTokens: 100 } }, { models: { [MODEL]: {} } });
    expect(firstEnd).toMatchObject({ type: 'end', stopReason: 'end_turn', usage: { inputTokens: bare.usage.inputTokens, outputTokens: bare.usage.outputTokens } });
    // The follow-up's model input held the first exchange.
    expect(followUpEnd.usage.inputTokens).toBeGreaterThan(bare.usage.inputTokens + bare.usage.outputTokens);
    expect(again.errors[0]).toMatchObject({ errorType: 'ConversationExists', errorInfo: { conversationId, retryable: false } });
    const requestsAfter = (await ddb.send(new ScanCommand({ TableName: twin.context.dynamodb.tableName('ChatRequests'), Select: 'COUNT' }))).Count;
    expect(requestsAfter).toBe(requestsBefore);
    expect((await storedMessages(conversationId)).map((m) => m.role)).toEqual(['USER', 'ASSISTANT', 'USER', 'ASSISTANT']);
    await Promise.all([stream.close(), followUp.close()]);
  });

  it('stops at maxTokens with stopReason max_tokens', async () => {
    const conversationId = newConversationId();
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    await start({ conversationId, prompt: 'A long one. [[sim:tokens=300]]', maxTokens: 25 });
    const collected = await stream.until((t) => t.final !== undefined);
    expect(collected.final).toMatchObject({ type: 'end', stopReason: 'max_tokens', usage: { outputTokens: 25 } });
    await stream.close();
  });

  it("does not let a second user subscribe to the first user's conversation channel", async () => {
    // Prepare
    const conversationId = newConversationId();
    await signInAs(DEMO_USERS[1]);
    try {
      // Act
      const connection = await events.connect(`/chat/${aliceSub}/${conversationId}`);
      const subscription = connection.subscribe({ next: () => undefined, error: () => undefined });
      // Assess
      await expect(subscription.ready).rejects.toThrow(/Unauthorized/);
      await connection.close();
    } finally {
      await signInAs(DEMO_USERS[0]);
    }
  });

  it('cancels mid-stream: the turn ends with cancelled and the stored message holds exactly what was streamed', async () => {
    // Prepare: a slow, long answer so the cancel lands mid-stream.
    const conversationId = newConversationId();
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    const cancelPrompt = 'Ramble on. [[sim:tokens=1000]] [[sim:tps=20]]';
    const turn = await start({ conversationId, prompt: cancelPrompt, maxTokens: 1000 });
    await stream.until((t) => t.text.length > 0);
    // Act
    await client().graphql({ query: CANCEL_CHAT, variables: { requestId: turn.requestId } });
    const collected = await stream.until((t) => t.final !== undefined);
    // Assess
    const end = collected.final as EndEvent;
    expect(end).toMatchObject({ type: 'end', stopReason: 'cancelled' });
    expect(end.usage.outputTokens).toBeGreaterThan(0);
    expect(end.usage.outputTokens).toBeLessThan(1000);
    // No usage arrives from an aborted stream: the turn is billed for what it produced,
    // counted with Bedrock's CountTokens (the twin counts as the simulator does).
    expect(end.usage.outputTokens).toBe(countTokens(collected.text));
    const prompt = simulate({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: cancelPrompt }] }] }, { models: { [MODEL]: {} } });
    expect(end.usage.inputTokens).toBe(prompt.usage.inputTokens);
    const messages = await storedMessages(conversationId);
    expect(messages[1]).toMatchObject({ role: 'ASSISTANT', status: 'CANCELLED', text: collected.text });
    await stream.close();
  });

  it('retries throttling with backoff and streams normally once it clears', async () => {
    const conversationId = newConversationId();
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    await start({ conversationId, prompt: `Busy model ${conversationId} [[sim:throttle=2]] [[sim:tokens=10]]`, maxTokens: 50 });
    const collected = await stream.until((t) => t.final !== undefined, 30_000);
    expect(collected.final).toMatchObject({ type: 'end', stopReason: 'end_turn' });
    expect(collected.text.length).toBeGreaterThan(0);
    await stream.close();
  });

  it('ends with a retryable error event when throttling persists', async () => {
    const conversationId = newConversationId();
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    await start({ conversationId, prompt: `Always busy ${conversationId} [[sim:throttle]]`, maxTokens: 50 });
    const collected = await stream.until((t) => t.final !== undefined, 30_000);
    expect(collected.final).toMatchObject({ type: 'error', code: 'Throttled', retryable: true });
    await stream.close();
  });

  it('sends an error event after the partial text of a mid-stream model error, and keeps the partial answer as incomplete', async () => {
    const conversationId = newConversationId();
    const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
    await start({ conversationId, prompt: `Break halfway ${conversationId} [[sim:tokens=80]] [[sim:midstream-error@20]]`, maxTokens: 200 });
    const collected = await stream.until((t) => t.final !== undefined);
    const error = collected.final as ErrorEvent;
    expect(error).toMatchObject({ type: 'error', code: 'ModelStreamError' });
    expect(collected.text.length).toBeGreaterThan(0);
    expect(collected.events.at(-1)).toBe(error);
    const messages = await storedMessages(conversationId);
    expect(messages[1]).toMatchObject({ role: 'ASSISTANT', status: 'INCOMPLETE', text: collected.text });
  });

  it.each(['before-delivery', 'after-delivery'] as const)(
    'retries a publish whose connection is cut %s, so that no sequence number is lost or duplicated',
    async (where) => {
      // Prepare: the network cuts every third publish's connection.
      flaky.arm(3, where);
      try {
        const conversationId = newConversationId();
        const stream = await subscribeToTurn(`/chat/${aliceSub}/${conversationId}`);
        // Act
        await start({ conversationId, prompt: `Flaky network ${conversationId} [[sim:tokens=120]]`, maxTokens: 300 });
        const collected = await stream.until((t) => t.final !== undefined);
        // Assess
        expect(flaky.dropped()).toBeGreaterThanOrEqual(1);
        expect(collected.final?.type).toBe('end');
        const seqs = stream.received.map((e) => e.seq).sort((a, b) => a - b);
        expect(seqs).toEqual([...seqs.keys()]);
        const messages = await storedMessages(conversationId);
        expect(messages[1].text).toBe(collected.text);
      } finally {
        flaky.disarm();
      }
    },
  );

  it('records a turn none of whose publishes got through as not delivered, logs the cause and counts it', async () => {
    // Prepare: the network cuts every publish's connection, retries included. Bob starts
    // it: Alice's turns of this file would reach her group's 10 a minute.
    await signInAs(DEMO_USERS[1]);
    onTestFinished(() => signInAs(DEMO_USERS[0]).then(() => undefined));
    flaky.arm(1, 'before-delivery');
    let requestId: string;
    const conversationId = newConversationId();
    try {
      // Act
      ({ requestId } = await start({ conversationId, prompt: 'Nobody will hear this. [[sim:tokens=20]]', maxTokens: 100 }));
      await twin.context.lambda.drain();
    } finally {
      flaky.disarm();
    }
    // Assess: the record says so, not `completed`.
    const { Item } = await ddb.send(new GetItemCommand({ TableName: twin.context.dynamodb.tableName('ChatRequests'), Key: { requestId: { S: requestId } }, ConsistentRead: true }));
    const record = unmarshall(Item!);
    expect(record).toMatchObject({ status: 'undelivered', streamDelivered: false, errorCode: 'StreamNotDelivered' });
    expect(record.streamError).toMatch(/Events publish did not complete: socket hang up/);
    // The answer is stored all the same: clients recover it from the conversation.
    const messages = await storedMessages(conversationId);
    expect(messages[1]).toMatchObject({ role: 'ASSISTANT', status: 'COMPLETE' });
    expect(messages[1].text.length).toBeGreaterThan(0);
    // An error log naming the cause, and the UndeliveredStreams metric (the twin's live metrics).
    const errorLine = twinLog.find((line) => line.includes('chat stream not delivered') && line.includes(requestId));
    // The twin's console shows a function's lines under its name.
    expect(errorLine).toMatch(/^\[chatStream\] \{/);
    expect(JSON.parse(errorLine!.replace(/^\[chatStream\] /, ''))).toMatchObject({ level: 'ERROR', cause: expect.stringMatching(/socket hang up/) });
    const captured = (await (await fetch(`${twin.url}${METRICS_CAPTURE_PATH}?windowMinutes=15`)).json()) as Record<string, unknown>[];
    expect(captured.find((r) => r.requestId === requestId && MetricName.UndeliveredStreams in r)).toMatchObject({ UndeliveredStreams: 1, Turns: 1 });
  });

  it.each([
    ['an unknown model', { modelId: 'acme.unknown-model-v1', prompt: 'hi' }, 'ValidationError'],
    ['a model the group may not use', { modelId: 'anthropic.claude-opus-4-1-20250805-v1:0', prompt: 'hi' }, 'ModelNotAllowed'],
    ['an empty prompt', { prompt: '   ' }, 'ValidationError'],
    ['an oversized prompt', { prompt: 'x'.repeat(40_000) }, 'ValidationError'],
    ['maxTokens out of range', { prompt: 'hi', maxTokens: 10_000_000 }, 'ValidationError'],
    ['maxTokens of zero', { prompt: 'hi', maxTokens: 0 }, 'ValidationError'],
    ['an explicit maxTokens of -1', { prompt: 'hi', maxTokens: -1 }, 'ValidationError'],
  ])('refuses %s with a typed error and starts nothing', async (_name, input, errorType) => {
    const requestsBefore = (await ddb.send(new ScanCommand({ TableName: twin.context.dynamodb.tableName('ChatRequests'), Select: 'COUNT' }))).Count;
    const failure = await graphqlFailure(client().graphql({ query: START_CHAT, variables: { input: { modelId: MODEL, conversationId: newConversationId(), ...input } } }));
    expect(failure.errors[0].errorType).toBe(errorType);
    const requestsAfter = (await ddb.send(new ScanCommand({ TableName: twin.context.dynamodb.tableName('ChatRequests'), Select: 'COUNT' }))).Count;
    expect(requestsAfter).toBe(requestsBefore);
  });
});
