import { describe, expect, it } from 'vitest';
import { turnInput, type PublishedPrompt } from '../../functions/prompt-intake/prompt-event.js';
import { checkChatTurn, MAX_TOKENS_NOT_GIVEN, type TurnInput } from '../../schema/input-rules.js';

const turn = (overrides: Partial<TurnInput> = {}): TurnInput => ({
  conversationId: 'conv-1',
  modelId: 'sluice.simulator',
  prompt: 'Hello',
  groups: ['users'],
  maxTokens: MAX_TOKENS_NOT_GIVEN,
  ...overrides,
});

const published = (overrides: Partial<PublishedPrompt> = {}): PublishedPrompt => ({
  eventId: 'e1',
  conversationId: 'conv-1',
  requestId: 'req-1',
  modelId: 'sluice.simulator',
  prompt: 'Hello',
  ...overrides,
});

describe('checkChatTurn (the shape rules startChat and /prompts/{sub} share)', () => {
  it('leaves an absent maxTokens as "not given", for admission to default under the effective policy', () => {
    // Act
    const check = checkChatTurn(turn());
    // Assess
    expect(check).toEqual({ ok: true, maxTokens: null });
  });

  it.each([
    ['a model outside the groups\' list', { modelId: 'anthropic.claude-opus-4-1-20250805-v1:0' }],
    ['no group policy at all', { groups: [] }],
    ['maxTokens above the groups\' cap but within the model\'s', { maxTokens: 4096 }],
  ])('passes %s on to admission, where a per-user override may allow it', (_name, overrides) => {
    // Act
    const check = checkChatTurn(turn(overrides));
    // Assess
    expect(check.ok).toBe(true);
  });

  it.each([
    ['an empty prompt', { prompt: '  ' }, 'ValidationError', 'prompt: must not be empty'],
    ['an oversized prompt', { prompt: 'é'.repeat(16_385) }, 'ValidationError', 'prompt: must be at most 32768 bytes of UTF-8'],
    ['a conversation id with a slash', { conversationId: 'a/b' }, 'ValidationError', 'conversationId: must be 1-64 letters, digits, - or _'],
    ['an unknown model', { modelId: 'acme.nope' }, 'ValidationError', 'modelId: unknown model acme.nope'],
    ['maxTokens above the model\'s own cap', { maxTokens: 8193 }, 'ValidationError', 'maxTokens: must be between 1 and 8192 for sluice.simulator'],
    ['maxTokens of zero', { maxTokens: 0 }, 'ValidationError', 'maxTokens: must be between 1 and 8192 for sluice.simulator'],
    ['an explicit maxTokens of -1', { maxTokens: -1 }, 'ValidationError', 'maxTokens: must be between 1 and 8192 for sluice.simulator'],
  ])('refuses %s', (_name, overrides, code, message) => {
    // Act
    const check = checkChatTurn(turn(overrides));
    // Assess
    expect(check).toMatchObject({ ok: false, code, message });
  });
});

describe('turnInput (typing a published prompt as the GraphQL schema types startChat)', () => {
  it.each([
    ['a numeric modelId', { modelId: 7 }, 'modelId: must be a string naming a model'],
    ['a missing prompt', { prompt: undefined }, 'prompt: must be a string'],
    ['a fractional maxTokens', { maxTokens: 1.5 }, 'maxTokens: must be a whole number'],
    ['a string maxTokens', { maxTokens: '100' }, 'maxTokens: must be a whole number'],
  ])('refuses %s', (_name, overrides, message) => {
    // Act
    const input = turnInput(published(overrides), { sub: 'u1', username: 'u1', groups: ['users'] });
    // Assess
    expect(input).toMatchObject({ ok: false, code: 'ValidationError', message });
  });

  it('does not let an explicit -1 pass for "not given"', () => {
    // Prepare
    const input = turnInput(published({ maxTokens: -1 }), { sub: 'u1', username: 'u1', groups: ['users'] }) as TurnInput;
    // Act
    const check = checkChatTurn(input);
    // Assess
    expect(check).toMatchObject({ ok: false, code: 'ValidationError' });
  });
});
