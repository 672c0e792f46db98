import { describe, expect, it } from 'vitest';
import { AuthMode, type ChannelNamespace } from '../../infra/gateway.js';
import { channelMatches, parseChannel } from '../../infra/local/events/channel.js';
import { MAX_EVENT_SIZE_IN_BYTES } from '../../infra/local/events/constants.js';
import { EventsError } from '../../infra/local/events/errors.js';
import { isOperationId, validateEvents } from '../../infra/local/events/validation.js';

const namespace = (name: string): ChannelNamespace => ({ name, publishAuthModes: [AuthMode.IAM], subscribeAuthModes: [AuthMode.COGNITO] });
const NAMESPACES = [namespace('chat'), namespace('default')];

describe('parseChannel', () => {
  it.each([
    ['/chat/abc/c1', '/chat/abc/c1'],
    ['chat/abc/c1', '/chat/abc/c1'],
    ['/chat/abc/c1/', '/chat/abc/c1'],
    ['/default', '/default'],
    ['/chat/a/b/c/d', '/chat/a/b/c/d'],
    [`/chat/${'a'.repeat(50)}`, `/chat/${'a'.repeat(50)}`],
    ['/chat/a-b-9', '/chat/a-b-9'],
  ])('normalises the valid channel %s to %s', (raw, path) => {
    // Act
    const channel = parseChannel(raw, NAMESPACES, { allowWildcard: false });
    // Assess
    expect(channel).not.toBeInstanceOf(EventsError);
    expect((channel as { path: string }).path).toBe(path);
  });

  it.each([
    ['', 'required'],
    ['/chat/a/b/c/d/e', '6 segments'],
    ['/chat//x', 'segment ""'],
    ['/chat/-a', 'segment "-a"'],
    ['/chat/a-', 'segment "a-"'],
    ['/chat/a_b', 'segment "a_b"'],
    ['/chat/héllo', 'segment "héllo"'],
    [`/chat/${'a'.repeat(51)}`, 'must be 1-50'],
    ['/nope/a', 'namespace nope does not exist'],
    ['/Chat/a', 'namespace Chat does not exist'],
    ['/chat/*', 'wildcards are only allowed when subscribing'],
  ])('rejects %j with a BadRequestException naming the problem (%s)', (raw, problem) => {
    // Act
    const error = parseChannel(raw, NAMESPACES, { allowWildcard: false });
    // Assess
    expect(error).toBeInstanceOf(EventsError);
    expect((error as EventsError).status).toBe(400);
    expect((error as EventsError).errorType).toBe('BadRequestException');
    expect((error as EventsError).message).toContain(problem);
  });

  it('accepts a trailing wildcard when subscribing, and nowhere else', () => {
    expect(parseChannel('/chat/a/*', NAMESPACES, { allowWildcard: true })).toMatchObject({ segments: ['chat', 'a', '*'] });
    expect(parseChannel('/chat/*/a', NAMESPACES, { allowWildcard: true })).toBeInstanceOf(EventsError);
    expect(parseChannel('/*', NAMESPACES, { allowWildcard: true })).toBeInstanceOf(EventsError);
  });

  it('rejects non-string channels without throwing', () => {
    expect(parseChannel(42, NAMESPACES, { allowWildcard: false })).toBeInstanceOf(EventsError);
    expect(parseChannel({ path: '/chat' }, NAMESPACES, { allowWildcard: false })).toBeInstanceOf(EventsError);
  });
});

describe('channelMatches', () => {
  it.each([
    [['chat', 'a'], ['chat', 'a'], true],
    [['chat', 'a'], ['chat', 'a', 'b'], false],
    [['chat', 'a'], ['chat', 'A'], false],
    [['chat', '*'], ['chat', 'a'], true],
    [['chat', '*'], ['chat', 'a', 'b', 'c'], true],
    [['chat', '*'], ['chat'], false],
    [['chat', 'a', '*'], ['chat', 'a', 'b'], true],
    [['chat', 'a', '*'], ['chat', 'a'], false],
    [['chat', 'a', '*'], ['chat', 'b', 'c'], false],
    [['chat', 'a', '*'], ['default', 'a', 'b'], false],
  ])('subscription %j receives %j: %s', (subscription, published, expected) => {
    expect(channelMatches(subscription, published)).toBe(expected);
  });
});

describe('validateEvents', () => {
  it('accepts one to five JSON strings and parses them', () => {
    expect(validateEvents(['{"a":1}', '"two"', '3'])).toEqual([
      { index: 0, payload: { a: 1 } },
      { index: 1, payload: 'two' },
      { index: 2, payload: 3 },
    ]);
  });

  it.each([
    [[], 'non-empty'],
    ['{"a":1}', 'non-empty array'],
    [Array(6).fill('1'), 'Too many events: 6'],
    [[{ a: 1 }], 'JSON-encoded string'],
    [['{not json'], 'not valid JSON'],
    [[JSON.stringify('x'.repeat(MAX_EVENT_SIZE_IN_BYTES))], 'at most 245760 bytes'],
  ])('rejects %# with a 400 (%s)', (events, problem) => {
    const error = validateEvents(events);
    expect(error).toBeInstanceOf(EventsError);
    expect((error as EventsError).status).toBe(400);
    expect((error as EventsError).message).toContain(problem);
  });

  it('accepts an event of exactly 240 KB', () => {
    const event = JSON.stringify('x'.repeat(MAX_EVENT_SIZE_IN_BYTES - 2));
    expect(validateEvents([event])).not.toBeInstanceOf(EventsError);
  });
});

describe('isOperationId', () => {
  it.each([
    ['sub-1', true],
    ['a+b_c-D9', true],
    ['x'.repeat(128), true],
    ['x'.repeat(129), false],
    ['', false],
    ['a b', false],
    ['a/b', false],
    [7, false],
  ])('%j is a valid id: %s', (id, expected) => {
    expect(isOperationId(id)).toBe(expected);
  });
});
