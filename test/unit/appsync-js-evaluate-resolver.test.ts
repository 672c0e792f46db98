// The resolver test helpers: AppSync-shaped contexts and EvaluateCode-like results.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SUB,
  cognitoIdentity,
  evaluateResolver,
  makeContext,
  makeEventContext,
  sandboxUtil,
} from '../helpers/evaluate-resolver.js';

describe('makeContext', () => {
  it('has the AppSync shape with a Cognito caller by default', () => {
    // Act
    const ctx = makeContext();

    // Assess
    expect(ctx).toEqual({
      arguments: {},
      args: {},
      identity: cognitoIdentity(),
      source: null,
      stash: {},
      prev: { result: null },
      result: null,
      info: { fieldName: 'field', parentTypeName: 'Query', variables: {}, selectionSetList: [], selectionSetGraphQL: '' },
      request: { headers: { 'content-type': 'application/json' }, domainName: null },
      env: {},
    });
    expect(ctx.args).toBe(ctx.arguments);
  });

  it('takes overrides, merging info and headers and allowing an API key caller', () => {
    // Act
    const ctx = makeContext({ arguments: { id: 't1' }, identity: null, info: { fieldName: 'getTurn' }, request: { headers: { 'x-trace': '1' } } });

    // Assess
    expect(ctx).toMatchObject({
      args: { id: 't1' },
      identity: null,
      info: { fieldName: 'getTurn', parentTypeName: 'Query' },
      request: { headers: { 'content-type': 'application/json', 'x-trace': '1' } },
    });
  });
});

describe('cognitoIdentity', () => {
  it('keeps claims consistent with the user', () => {
    // Act
    const identity = cognitoIdentity({ username: 'root', groups: ['admins'] });

    // Assess
    expect(identity).toMatchObject({
      sub: DEFAULT_SUB,
      username: 'root',
      groups: ['admins'],
      claims: { sub: DEFAULT_SUB, 'cognito:username': 'root', 'cognito:groups': ['admins'], email: 'root@example.com' },
    });
  });
});

describe('makeEventContext', () => {
  it('describes the channel, namespace, operation and events of a publish', () => {
    // Act
    const ctx = makeEventContext({ channel: '/chat/u1/c1', payloads: [{ a: 1 }, { b: 2 }] });

    // Assess
    expect(ctx).toMatchObject({
      info: { channel: { path: '/chat/u1/c1', segments: ['chat', 'u1', 'c1'] }, channelNamespace: { name: 'chat' }, operation: 'PUBLISH' },
      events: [
        { id: 'event-0', payload: { a: 1 } },
        { id: 'event-1', payload: { b: 2 } },
      ],
      request: { headers: {}, domainName: null },
    });
  });

  it('has no events for a subscribe', () => {
    // Act
    const ctx = makeEventContext({ operation: 'SUBSCRIBE' });

    // Assess
    expect(ctx).not.toHaveProperty('events');
  });
});

describe('evaluateResolver', () => {
  it('reports util.unauthorized as an Unauthorized error, as EvaluateCode shows it', async () => {
    // Act
    const { error, result } = await evaluateResolver('test/fixtures/appsync-js/control-flow.ts', 'request', makeContext({ arguments: { action: 'unauthorized' } }));

    // Assess
    expect(error).toEqual({ message: 'Unauthorized', errorType: 'Unauthorized' });
    expect(result).toBeUndefined();
  });

  it('runs onPublish and onSubscribe as Events code', async () => {
    // Act
    const { outcome } = await evaluateResolver('test/fixtures/appsync-js/event-handlers.ts', 'onSubscribe', makeEventContext({ operation: 'SUBSCRIBE' }));

    // Assess
    expect(outcome).toMatchObject({ kind: 'returned', extensions: { invalidations: [], cacheEvictions: [] } });
  });
});

describe('sandboxUtil', () => {
  it('throws the APPSYNC_JS error message of a failing util call', async () => {
    // Prepare
    const callUtil = await sandboxUtil();

    // Act
    const act = () => callUtil('error', 'nope', 'Custom');

    // Assess
    expect(act).toThrow('nope');
  });
});
