/**
 * ConversationStore.history against DynamoDB Local: the history the model is given is the
 * caller's own messages, however many other users wrote under the same conversation id.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationStore, MAX_HISTORY_PAGES } from '../../functions/shared/conversation-store.js';
import { documentClient } from '../../functions/shared/ledger/index.js';
import { gateway } from '../../infra/gateway.js';
import { dynamoDbClient, ensureTables, physicalTableName } from '../../infra/local/dynamodb.js';
import { sharedBackingServices } from '../helpers/services.js';

const TABLES = ['ChatRequests', 'Conversations', 'Messages'] as const;

describe('conversation history', () => {
  let dynamo: ReturnType<typeof dynamoDbClient>;
  let store: ConversationStore;

  beforeAll(async () => {
    dynamo = dynamoDbClient(sharedBackingServices().dynamodb.endpoint);
    const prefix = `hist${randomBytes(4).toString('hex')}_`;
    await ensureTables(dynamo, gateway.tables.filter((t) => (TABLES as readonly string[]).includes(t.name)), prefix);
    const [requests, conversations, messages] = TABLES.map((name) => physicalTableName(prefix, { name }));
    store = new ConversationStore(documentClient(dynamo), { requests: requests!, conversations: conversations!, messages: messages! });
  });
  afterAll(() => dynamo?.destroy());

  const message = (conversationId: string, userId: string, role: 'user' | 'assistant', text: string) => ({
    conversationId,
    userId,
    requestId: `r-${userId}`,
    role,
    text,
    status: 'complete' as const,
    modelId: 'sluice.simulator',
  });

  it('still gives the owner its history after another user wrote more than a page of messages under the same id', async () => {
    // Prepare: Alice's exchange, then 60 newer messages from Bob under her conversation id.
    const conversationId = `conv-${randomBytes(4).toString('hex')}`;
    const start = Date.parse('2026-01-01T00:00:00Z');
    await store.addMessage(message(conversationId, 'alice', 'user', 'my question'), new Date(start));
    await store.addMessage(message(conversationId, 'alice', 'assistant', 'my answer'), new Date(start + 1000));
    for (let i = 0; i < 60; i++) await store.addMessage(message(conversationId, 'bob', i % 2 ? 'assistant' : 'user', `noise ${i}`), new Date(start + 2000 + i * 1000));
    // Act
    const history = await store.history(conversationId, 'alice');
    // Assess
    expect(history.map((m) => [m.userId, m.text])).toEqual([
      ['alice', 'my question'],
      ['alice', 'my answer'],
    ]);
  });

  it("reads a bounded number of pages however many messages a second account wrote under the caller's id", async () => {
    // Prepare: 300 messages of Bob's under the id Alice then chats on, and a count of the Queries sent.
    const conversationId = `conv-${randomBytes(4).toString('hex')}`;
    const start = Date.parse('2026-02-01T00:00:00Z');
    for (let i = 0; i < 300; i += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, j) => store.addMessage(message(conversationId, 'bob', 'user', `flood ${i + j}`), new Date(start + (i + j) * 1000))));
    }
    let queries = 0;
    dynamo.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'QueryCommand') queries += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countQueries' },
    );
    // Act
    const history = await store.history(conversationId, 'alice');
    dynamo.middlewareStack.remove('countQueries');
    // Assess
    expect(history).toEqual([]);
    expect(queries).toBe(MAX_HISTORY_PAGES);
  });
});
