import { PutItemCommand, ScanCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { generateClient } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationStore } from '../../functions/shared/conversation-store.js';
import { claimReservation, documentClient, type LedgerDeps } from '../../functions/shared/ledger/index.js';
import type { ChatTurnRequest } from '../../schema/stream-protocol.js';
import { dynamoDbClient } from '../../infra/local/dynamodb.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { graphqlFailure } from '../helpers/graphql.js';
import { startTestTwin } from '../helpers/twin.js';

const START_CHAT = /* GraphQL */ `
  mutation Start($input: StartChatInput!) {
    startChat(input: $input) { requestId conversationId channel modelId status createdAt }
  }
`;
const CONVERSATION = /* GraphQL */ `
  query One($id: ID!) {
    conversation(id: $id) { id title messages { items { id role text status costUsd usage { inputTokens outputTokens } createdAt } } }
  }
`;

describe('GraphQL API through aws-amplify generateClient (Cognito user pools)', () => {
  let twin: Twin;
  let ddb: DynamoDBClient;
  const lambdaEvents: unknown[] = [];
  const client = () => generateClient();
  const table = (name: string) => twin.context.dynamodb.tableName(name);
  const itemCount = async (name: string) => (await ddb.send(new ScanCommand({ TableName: table(name), Select: 'COUNT' }))).Count ?? 0;

  beforeAll(async () => {
    twin = await startTestTwin({
      // The streaming Lambda is replaced by a recorder that claims and records the turn as
      // the real one does before it calls the model: this suite tests the GraphQL half.
      lambdaOverrides: {
        chatStream: async (event) => {
          lambdaEvents.push(event);
          const request = event as ChatTurnRequest;
          const ledger: LedgerDeps = { db: documentClient(ddb), tables: { budgets: table('Budgets'), ledger: table('Ledger') } };
          if (!(await claimReservation(ledger, { userId: request.userId, requestId: request.requestId })).won) return;
          const store = new ConversationStore(documentClient(ddb), { requests: table('ChatRequests'), conversations: table('Conversations'), messages: table('Messages') });
          await store.recordTurn({ ...request, createdAt: request.createdAt ?? new Date().toISOString() }, new Date());
        },
      },
    });
    configureAmplify(twin);
    ddb = dynamoDbClient(twin.context.dynamodb.endpoint);
  });
  afterAll(async () => {
    ddb?.destroy();
    await twin?.close();
  });

  it('starts a chat turn through the pipeline: the open reservation, an Event invoke of the Lambda, and the record its claim writes', async () => {
    // Prepare
    const { sub } = await signInAs(DEMO_USERS[0]);
    // Act
    const result = (await client().graphql({
      query: START_CHAT,
      variables: { input: { modelId: 'sluice.simulator', prompt: 'Tell me about sluices', maxTokens: 64 } },
    })) as { data: { startChat: Record<string, string> } };
    await twin.context.lambda.drain();
    // Assess
    const turn = result.data.startChat;
    expect(turn.status).toBe('PENDING');
    expect(turn.channel).toBe(`/chat/${sub}/${turn.conversationId}`);
    const budget = await ddb.send(new GetItemCommand({ TableName: table('Budgets'), Key: marshall({ pk: `USER#${sub}`, sk: 'BUDGET' }), ConsistentRead: true }));
    expect(unmarshall(budget.Item!)[`R#${turn.requestId}`]).toMatchObject({ v: turn.conversationId, m: 'sluice.simulator', o: 64, k: expect.any(Number) });
    const stored = await ddb.send(new GetItemCommand({ TableName: table('ChatRequests'), Key: marshall({ requestId: turn.requestId }), ConsistentRead: true }));
    expect(unmarshall(stored.Item!)).toMatchObject({ userId: sub, status: 'streaming', maxTokens: 64, prompt: 'Tell me about sluices' });
    expect(lambdaEvents).toContainEqual(
      expect.objectContaining({ requestId: turn.requestId, userId: sub, conversationId: turn.conversationId, maxTokens: 64, groups: ['users'] }),
    );
    const list = (await client().graphql({ query: '{ conversations { items { id title } } }' })) as {
      data: { conversations: { items: { id: string; title: string }[] } };
    };
    expect(list.data.conversations.items).toContainEqual({ id: turn.conversationId, title: 'Tell me about sluices' });
  });

  it('returns a conversation with its stored messages, and none of another user\'s', async () => {
    // Prepare: one turn of alice, and a message stored the way the streaming Lambda stores it.
    const { sub } = await signInAs(DEMO_USERS[0]);
    const started = (await client().graphql({ query: START_CHAT, variables: { input: { modelId: 'sluice.simulator', prompt: 'Hi' } } })) as {
      data: { startChat: { conversationId: string; requestId: string } };
    };
    const { conversationId, requestId } = started.data.startChat;
    await twin.context.lambda.drain();
    await ddb.send(
      new PutItemCommand({
        TableName: table('Messages'),
        Item: marshall({
          conversationId,
          messageId: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
          userId: sub,
          requestId,
          role: 'assistant',
          text: 'Hello there',
          status: 'complete',
          modelId: 'sluice.simulator',
          usage: { inputTokens: 3, outputTokens: 2 },
          costUsd: 0.000013,
          createdAt: '2025-01-01T00:00:00.000Z',
        }),
      }),
    );
    // Act
    const mine = (await client().graphql({ query: CONVERSATION, variables: { id: conversationId } })) as {
      data: { conversation: { messages: { items: Record<string, unknown>[] } } };
    };
    await signInAs(DEMO_USERS[1]);
    const theirs = (await client().graphql({ query: CONVERSATION, variables: { id: conversationId } })) as { data: { conversation: unknown } };
    // Assess
    // In messageId (time) order: the answer stored above under an old id, then the prompt the claim's record stored.
    expect(mine.data.conversation.messages.items).toEqual([
      expect.objectContaining({ role: 'ASSISTANT', text: 'Hello there', status: 'COMPLETE', costUsd: 0.000013, usage: { inputTokens: 3, outputTokens: 2 } }),
      expect.objectContaining({ role: 'USER', text: 'Hi', status: 'COMPLETE', costUsd: null, usage: null }),
    ]);
    expect(theirs.data.conversation).toBeNull();
  });

  it('cancels the caller\'s running turn and refuses to cancel another user\'s', async () => {
    // Prepare
    const { sub: ownerSub } = await signInAs(DEMO_USERS[0]);
    const started = (await client().graphql({ query: START_CHAT, variables: { input: { modelId: 'sluice.simulator', prompt: 'Long story' } } })) as {
      data: { startChat: { requestId: string } };
    };
    const { requestId } = started.data.startChat;
    const cancel = `mutation C($id: ID!) { cancelChat(requestId: $id) { requestId status } }`;
    // Act
    await signInAs(DEMO_USERS[1]);
    const denied = await graphqlFailure(client().graphql({ query: cancel, variables: { id: requestId } }));
    await signInAs(DEMO_USERS[0]);
    const cancelled = (await client().graphql({ query: cancel, variables: { id: requestId } })) as { data: { cancelChat: { status: string } } };
    // Assess
    expect(denied.errors[0]).toMatchObject({ errorType: 'NotFound', path: ['cancelChat'] });
    expect(denied.data).toEqual({ cancelChat: null });
    expect(cancelled.data.cancelChat.status).toBe('CANCELLED');
    // The flag is on the turn's open entry in the caller's budget item, where the Lambda looks.
    const budget = await ddb.send(new GetItemCommand({ TableName: table('Budgets'), Key: marshall({ pk: `USER#${ownerSub}`, sk: 'BUDGET' }), ConsistentRead: true }));
    expect(unmarshall(budget.Item!)[`R#${requestId}`]).toMatchObject({ z: true });
  });

  it('lists only the models the caller\'s groups allow, with prices', async () => {
    // Prepare
    await signInAs(DEMO_USERS[0]);
    // Act
    const result = (await client().graphql({ query: '{ models { id price { inputUsd outputUsd } } }' })) as {
      data: { models: { id: string; price: { inputUsd: number; outputUsd: number } }[] };
    };
    // Assess
    const ids = result.data.models.map((m) => m.id);
    expect(ids).toContain('sluice.simulator');
    expect(ids).not.toContain('anthropic.claude-opus-4-1-20250805-v1:0');
    expect(result.data.models.find((m) => m.id === 'sluice.simulator')?.price).toEqual({ inputUsd: 1, outputUsd: 5 });
  });

  it('denies an admins-only field to a users member with the AppSync error shape', async () => {
    // Prepare
    await signInAs(DEMO_USERS[0]);
    // Act
    const failure = await graphqlFailure(
      client().graphql({ query: '{ usageReport(from: "2025-01-01", to: "2025-01-31", groupBy: USER) { totalUsd } }' }),
    );
    // Assess
    expect(failure.data).toEqual({ usageReport: null });
    expect(failure.errors).toEqual([
      expect.objectContaining({ errorType: 'Unauthorized', message: 'Not Authorized to access usageReport on type Query', path: ['usageReport'] }),
    ]);
  });

  it('lets an admins member read the admin field the users member was denied', async () => {
    // Prepare
    await signInAs(DEMO_USERS[2]);
    // Act
    const result = (await client().graphql({
      query: '{ usageReport(from: "2025-01-01", to: "2025-01-31", groupBy: MODEL) { from to groupBy rows { key } totalUsd } }',
    })) as { data: { usageReport: Record<string, unknown> } };
    // Assess
    expect(result.data.usageReport).toEqual({ from: '2025-01-01', to: '2025-01-31', groupBy: 'MODEL', rows: [], totalUsd: 0 });
  });

  describe('bad input gets a validation error and writes nothing', () => {
    it.each([
      {
        name: 'a wrong type',
        query: START_CHAT,
        variables: { input: { modelId: 'sluice.simulator', prompt: 'x', maxTokens: 'many' } },
        errorType: 'ValidationError',
      },
      {
        name: 'a missing required argument',
        query: 'mutation { startChat(input: { prompt: "x" }) { requestId } }',
        variables: {},
        errorType: 'ValidationError',
      },
      {
        name: 'an unknown input field',
        query: START_CHAT,
        variables: { input: { modelId: 'sluice.simulator', prompt: 'x', temperature: 2 } },
        errorType: 'ValidationError',
      },
      {
        name: 'an unknown selected field',
        query: 'mutation { startChat(input: { modelId: "sluice.simulator", prompt: "x" }) { requestId secret } }',
        variables: {},
        errorType: 'ValidationError',
      },
      {
        name: 'an oversized prompt (over 32 KB)',
        query: START_CHAT,
        variables: { input: { modelId: 'sluice.simulator', prompt: 'é'.repeat(16_385) } },
        errorType: 'ValidationError',
      },
      {
        name: 'an empty prompt',
        query: START_CHAT,
        variables: { input: { modelId: 'sluice.simulator', prompt: '   ' } },
        errorType: 'ValidationError',
      },
      {
        name: 'a model the group may not use',
        query: START_CHAT,
        variables: { input: { modelId: 'anthropic.claude-opus-4-1-20250805-v1:0', prompt: 'x' } },
        errorType: 'ModelNotAllowed',
      },
    ])('$name', async ({ query, variables, errorType }) => {
      // Prepare
      await signInAs(DEMO_USERS[0]);
      await twin.context.lambda.drain();
      const before = { requests: await itemCount('ChatRequests'), conversations: await itemCount('Conversations'), lambdas: lambdaEvents.length };
      // Act
      const failure = await graphqlFailure(client().graphql({ query, variables }));
      await twin.context.lambda.drain();
      // Assess
      expect(failure.errors[0].errorType).toBe(errorType);
      expect(failure.errors[0].message).toBeTruthy();
      expect({ requests: await itemCount('ChatRequests'), conversations: await itemCount('Conversations'), lambdas: lambdaEvents.length }).toEqual(before);
    });
  });
});
