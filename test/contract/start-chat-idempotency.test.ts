/**
 * startChat's clientRequestId (idempotency key), through aws-amplify against the twin: a
 * retried call returns the same turn and never admits twice, including a retry after the
 * first call's admission landed but its answer never came (and the stream never started);
 * the same key with a different request is IdempotentParameterMismatch; another user's key
 * is RequestIdConflict.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../infra/local/dynamodb.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { subscribeToTurn } from '../helpers/chat-stream.js';
import { gql, graphql, graphqlFailure, type VariablesOf } from '../helpers/graphql.js';
import { startTestTwin } from '../helpers/twin.js';

const START_CHAT = gql(`
  mutation Start($input: StartChatInput!) {
    startChat(input: $input) { requestId conversationId channel status createdAt }
  }
`);
const MY_REQUESTS = gql(`query MyRequests { myUsage { day { requests reservedUsd } } }`);
const CONVERSATION = gql(`
  query One($id: ID!) { conversation(id: $id) { messages { items { role text status } } } }
`);
const MODEL = 'sluice.simulator';

/** A turn's input; the model is the simulator unless a case names another. */
type TurnInput = Omit<VariablesOf<typeof START_CHAT>['input'], 'modelId'> & { modelId?: string };

describe('startChat with a clientRequestId', () => {
  let twin: Twin;
  let ddb: DynamoDBClient;
  let alice: { sub: string };

  const start = async (input: TurnInput) => (await graphql(START_CHAT, { input: { modelId: MODEL, ...input } })).startChat!;
  const requestsToday = async () => (await graphql(MY_REQUESTS)).myUsage.day;
  const messages = async (id: string) =>
    (await graphql(CONVERSATION, { id })).conversation!.messages.items;
  const recordsOf = async (requestId: string) =>
    (
      await ddb.send(
        new ScanCommand({
          TableName: twin.context.dynamodb.tableName('ChatRequests'),
          FilterExpression: 'requestId = :id',
          ExpressionAttributeValues: { ':id': { S: requestId } },
          ConsistentRead: true,
        }),
      )
    ).Count;

  beforeAll(async () => {
    twin = await startTestTwin({ bedrockSpeed: 10 });
    configureAmplify(twin);
    ddb = dynamoDbClient(twin.context.dynamodb.endpoint);
    alice = await signInAs(DEMO_USERS[0]);
  });
  afterAll(async () => {
    ddb?.destroy();
    await twin?.close();
  });

  it('concurrent retries of one call are one turn: one admission, one stream, one answer; a later retry reports it complete', async () => {
    const clientRequestId = randomUUID();
    const conversationId = `idem-${randomUUID()}`;
    const input = { conversationId, newConversation: true, prompt: 'Name a lake. [[sim:tokens=30]]', maxTokens: 100, clientRequestId };
    const stream = await subscribeToTurn(`/chat/${alice.sub}/${conversationId}`);
    const before = await requestsToday();

    const turns = await Promise.all(Array.from({ length: 5 }, () => start(input)));
    const collected = await stream.until((t) => t.final !== undefined);
    const again = await start(input);

    for (const turn of turns) expect(turn).toMatchObject({ requestId: clientRequestId, conversationId, channel: `/chat/${alice.sub}/${conversationId}` });
    expect(collected.final).toMatchObject({ type: 'end', requestId: clientRequestId, stopReason: 'end_turn' });
    expect(collected.events.filter((e) => e.type === 'start')).toHaveLength(1);
    expect(again).toMatchObject({ requestId: clientRequestId, conversationId, status: 'COMPLETE' });
    expect((await requestsToday()).requests).toBe(before.requests + 1);
    expect(await recordsOf(clientRequestId)).toBe(1);
    expect((await messages(conversationId)).map((m) => m.role)).toEqual(['USER', 'ASSISTANT']);
    await stream.close();
  });

  it('a retry after the first call was admitted but never answered starts the turn once', async () => {
    const clientRequestId = randomUUID();
    const conversationId = `idem-${randomUUID()}`;
    const prompt = 'Name a mountain. [[sim:tokens=20]]';
    const stream = await subscribeToTurn(`/chat/${alice.sub}/${conversationId}`);
    const before = await requestsToday();
    // The first call: the pipeline's admission (the gateway API's `admit`, exactly as
    // admitChatTurn sends it) lands, then the call dies before invokeChatStream ran.
    const firstAdmission = (await twin.context.lambda.invoke('gatewayApi', {
      action: 'admit',
      caller: { sub: alice.sub, username: alice.sub, groups: ['users'] },
      args: {
        requestId: clientRequestId,
        modelId: MODEL,
        prompt,
        maxTokens: null,
        conversationId,
        turn: { newConversation: true, mayBeRecorded: true },
        idempotency: { conversationId, newConversation: true },
      },
    })) as { result?: { duplicate: boolean } };
    expect(firstAdmission.result?.duplicate).toBe(false);
    expect((await requestsToday()).requests).toBe(before.requests + 1);

    const retried = await start({ conversationId, newConversation: true, prompt, clientRequestId });
    const collected = await stream.until((t) => t.final !== undefined);

    expect(retried).toMatchObject({ requestId: clientRequestId, conversationId, status: 'PENDING' });
    expect(collected.final).toMatchObject({ type: 'end', requestId: clientRequestId });
    expect((await requestsToday()).requests).toBe(before.requests + 1);
    expect((await messages(conversationId)).map((m) => m.role)).toEqual(['USER', 'ASSISTANT']);
    await stream.close();
  });

  it('the same clientRequestId with a different request is IdempotentParameterMismatch and changes nothing', async () => {
    const clientRequestId = randomUUID();
    const conversationId = `idem-${randomUUID()}`;
    const stream = await subscribeToTurn(`/chat/${alice.sub}/${conversationId}`);
    await start({ conversationId, prompt: 'Name a sea. [[sim:tokens=10]]', clientRequestId });
    await stream.until((t) => t.final !== undefined);
    const before = await requestsToday();

    const changedPrompt = await graphqlFailure(graphql(START_CHAT, { input: { modelId: MODEL, conversationId, prompt: 'Name an ocean.', clientRequestId } }));
    const changedCap = await graphqlFailure(graphql(START_CHAT, { input: { modelId: MODEL, conversationId, prompt: 'Name a sea. [[sim:tokens=10]]', maxTokens: 5, clientRequestId } }));

    for (const { errors } of [changedPrompt, changedCap]) {
      expect(errors[0]).toMatchObject({ errorType: 'IdempotentParameterMismatch', errorInfo: { requestId: clientRequestId, retryable: false } });
    }
    expect(await requestsToday()).toEqual(before);
    expect(await recordsOf(clientRequestId)).toBe(1);
    expect(await messages(conversationId)).toHaveLength(2);
    await stream.close();
  });

  it("another user's clientRequestId is RequestIdConflict; a malformed one is a ValidationError", async () => {
    const clientRequestId = randomUUID();
    const conversationId = `idem-${randomUUID()}`;
    const stream = await subscribeToTurn(`/chat/${alice.sub}/${conversationId}`);
    await start({ conversationId, prompt: 'Name a river. [[sim:tokens=10]]', clientRequestId });
    await stream.until((t) => t.final !== undefined);
    await stream.close();

    await signInAs(DEMO_USERS[1]);
    try {
      const taken = await graphqlFailure(graphql(START_CHAT, { input: { modelId: MODEL, prompt: 'Name a river. [[sim:tokens=10]]', clientRequestId } }));
      expect(taken.errors[0]).toMatchObject({ errorType: 'RequestIdConflict', errorInfo: { retryable: false } });
      const bobBefore = await requestsToday();
      const malformed = await graphqlFailure(graphql(START_CHAT, { input: { modelId: MODEL, prompt: 'Hi', clientRequestId: 'not ok!' } }));
      expect(malformed.errors[0]).toMatchObject({ errorType: 'ValidationError' });
      expect(malformed.errors[0].message).toContain('clientRequestId');
      expect(await requestsToday()).toEqual(bobBefore);
    } finally {
      await signInAs(DEMO_USERS[0]);
    }
  });
});
