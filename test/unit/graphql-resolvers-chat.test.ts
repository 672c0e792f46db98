import { describe, expect, it } from 'vitest';
import { cognitoIdentity, evaluateResolver, makeContext } from '../helpers/evaluate-resolver.js';

const VALIDATE = 'resolvers/graphql/functions/validateChatInput.ts';
const turn = (overrides: Record<string, unknown> = {}) => ({
  requestId: 'r1',
  conversationId: 'c1',
  userId: 'u1',
  groups: ['users'],
  modelId: 'sluice.simulator',
  prompt: 'Hello',
  maxTokens: null as number | null, // not given by the client
  createdAt: '2025-01-01T00:00:00.000Z',
  channel: '/chat/u1/c1',
  ...overrides,
});

describe('the startChat pipeline functions', () => {
  it('leaves an absent maxTokens for admission to default under the caller\'s effective policy', async () => {
    // Act
    const { result, error } = await evaluateResolver(VALIDATE, 'request', makeContext({ stash: { turn: turn() } }));
    // Assess
    expect(error).toBeUndefined();
    expect(result).toEqual({ payload: { maxTokens: null } });
  });

  it.each([
    { name: 'a model outside the groups\' list', overrides: { modelId: 'anthropic.claude-opus-4-1-20250805-v1:0' } },
    { name: 'maxTokens above the groups\' cap but within the model\'s', overrides: { maxTokens: 4096 } },
  ])('passes $name on to admission, where a per-user override may allow it', async ({ overrides }) => {
    // Act
    const { error } = await evaluateResolver(VALIDATE, 'request', makeContext({ stash: { turn: turn(overrides) } }));
    // Assess
    expect(error).toBeUndefined();
  });

  it.each([
    { name: 'an empty prompt', overrides: { prompt: ' ' }, errorType: 'ValidationError' },
    { name: 'a prompt of 32,769 bytes', overrides: { prompt: 'a'.repeat(32_767) + 'é' }, errorType: 'ValidationError' },
    { name: 'an unknown model', overrides: { modelId: 'nope' }, errorType: 'ValidationError' },
    { name: 'maxTokens above the model\'s own cap', overrides: { maxTokens: 8193 }, errorType: 'ValidationError' },
    { name: 'maxTokens of zero', overrides: { maxTokens: 0 }, errorType: 'ValidationError' },
    { name: 'an explicit maxTokens of -1 (not taken for "not given")', overrides: { maxTokens: -1 }, errorType: 'ValidationError' },
    { name: 'a conversation id with a slash', overrides: { conversationId: 'a/b' }, errorType: 'ValidationError' },
  ])('rejects $name', async ({ overrides, errorType }) => {
    // Act
    const { error } = await evaluateResolver(VALIDATE, 'request', makeContext({ stash: { turn: turn(overrides) } }));
    // Assess
    expect(error?.errorType).toBe(errorType);
  });

  it('names a new conversation and the caller\'s channel in the before step', async () => {
    // Prepare
    const ctx = makeContext({ arguments: { input: { modelId: 'sluice.simulator', prompt: 'Hi' } }, identity: cognitoIdentity({ sub: 'sub-1' }) });
    // Act
    const { stash } = await evaluateResolver('resolvers/graphql/Mutation.startChat.ts', 'request', ctx);
    // Assess
    const stashed = stash.turn as { conversationId: string; channel: string; userId: string };
    expect(stashed.userId).toBe('sub-1');
    expect(stashed.channel).toBe(`/chat/sub-1/${stashed.conversationId}`);
    expect(stashed.conversationId).toMatch(/^[0-9A-Z]{26}$/);
  });

  it.each([
    { name: 'a conversation it names itself as new', input: {}, newConversation: true },
    { name: 'a conversation the client names as not new', input: { conversationId: 'c-existing' }, newConversation: false },
    { name: 'a conversation the client names and says it creates', input: { conversationId: 'c-fresh', newConversation: true }, newConversation: true },
    { name: 'a conversation the client names with newConversation false', input: { conversationId: 'c-existing', newConversation: false }, newConversation: false },
  ])('marks $name, so the streaming Lambda reads history only when there can be one', async ({ input, newConversation }) => {
    // Prepare
    const ctx = makeContext({ arguments: { input: { modelId: 'sluice.simulator', prompt: 'Hi', ...input } }, identity: cognitoIdentity({ sub: 'sub-1' }) });
    // Act
    const { stash } = await evaluateResolver('resolvers/graphql/Mutation.startChat.ts', 'request', ctx);
    // Assess
    expect(stash.turn).toMatchObject({ newConversation });
  });

  it.each([true, false])('hands newConversation %s to admission (which checks a named one) and to the streaming Lambda', async (newConversation) => {
    // Prepare
    const stash = { turn: turn({ newConversation, conversationNamed: true, maxTokens: 100, policyGroup: 'users' }) };
    // Act
    const admit = await evaluateResolver('resolvers/graphql/functions/admitChatTurn.ts', 'request', makeContext({ stash }));
    const invoke = await evaluateResolver('resolvers/graphql/functions/invokeChatStream.ts', 'request', makeContext({ stash }));
    // Assess
    expect(admit.result).toMatchObject({ payload: { action: 'admit', args: { turn: { newConversation } } } });
    expect(invoke.result).toMatchObject({ invocationType: 'Event', payload: { newConversation } });
  });

  it.each([
    { name: 'no maxTokens as null', input: {}, stashed: null },
    { name: 'an explicit maxTokens of -1 as -1, for validation to refuse', input: { maxTokens: -1 }, stashed: -1 },
    { name: 'an explicit maxTokens of 0 as 0', input: { maxTokens: 0 }, stashed: 0 },
  ])('stashes $name in the before step', async ({ input, stashed }) => {
    // Prepare
    const ctx = makeContext({ arguments: { input: { modelId: 'sluice.simulator', prompt: 'Hi', ...input } }, identity: cognitoIdentity({ sub: 'sub-1' }) });
    // Act
    const { stash } = await evaluateResolver('resolvers/graphql/Mutation.startChat.ts', 'request', ctx);
    // Assess
    expect((stash.turn as { maxTokens: number | null }).maxTokens).toBe(stashed);
  });

  it('refuses an API key caller (no Cognito sub) in the before step', async () => {
    // Act
    const { error } = await evaluateResolver('resolvers/graphql/Mutation.startChat.ts', 'request', makeContext({ identity: null, arguments: { input: {} } }));
    // Assess
    expect(error?.errorType).toBe('Unauthorized');
  });

  it('cancels only an open turn of the caller (its entry in the caller\'s own budget item)', async () => {
    // Act
    const { result } = await evaluateResolver('resolvers/graphql/functions/cancelChatRequest.ts', 'request', makeContext({ arguments: { requestId: 'r1' }, stash: { userId: 'u1' } }));
    // Assess
    expect(result).toMatchObject({
      operation: 'UpdateItem',
      key: { pk: { S: 'USER#u1' }, sk: { S: 'BUDGET' } },
      update: { expression: 'SET #r.z = :yes', expressionNames: { '#r': 'R#r1' } },
      condition: { expression: 'attribute_exists(#r)', expressionNames: { '#r': 'R#r1' } },
    });
  });
});
