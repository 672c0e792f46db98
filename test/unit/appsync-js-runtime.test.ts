// The APPSYNC_JS runtime: how a call ends (returned, early return, util.error, appendError,
// unauthorized, a thrown error), code refused at load, the runaway guard, the sandbox's globals, the stash, logs, and the
// Events/GraphQL differences. Fixtures live in test/fixtures/appsync-js/.
import { describe, expect, it } from 'vitest';
import { AppSyncCodeError, AppSyncJsLoadError, instantiateAppSyncJs, loadAppSyncJsModule } from '../../infra/appsync-js/index.js';
import { evaluateResolver, makeContext, makeEventContext } from '../helpers/evaluate-resolver.js';

const FIXTURES = 'test/fixtures/appsync-js';
const controlFlow = (action: string, stash: Record<string, unknown> = {}) =>
  evaluateResolver(`${FIXTURES}/control-flow.ts`, 'request', makeContext({ arguments: { action }, stash }));

describe('call outcomes', () => {
  it('returns the value with ctx.args and ctx.arguments as the same arguments', async () => {
    // Act
    const { outcome } = await controlFlow('echo');

    // Assess
    expect(outcome.kind).toBe('returned');
    expect(outcome).toMatchObject({ value: { action: 'echo', args: { action: 'echo' }, arguments: { action: 'echo' } } });
  });

  it('reports util.error as an error with its type, data and errorInfo', async () => {
    // Act
    const { outcome, error, result } = await controlFlow('error');

    // Assess
    expect(outcome.kind).toBe('error');
    expect(error).toEqual({ message: 'Budget exceeded', errorType: 'BudgetExceeded', data: { limitUsd: 5 }, errorInfo: { retryAfterSeconds: 60 } });
    expect(result).toBeUndefined();
  });

  it('collects util.appendError and keeps going', async () => {
    // Act
    const { outcome, outErrors } = await controlFlow('appendError');

    // Assess
    expect(outcome).toMatchObject({ kind: 'returned', value: { ok: true } });
    expect(outErrors).toEqual([{ message: 'Soft limit reached', errorType: 'SoftLimit' }, { message: 'Second note' }]);
  });

  it('reports util.unauthorized as unauthorized', async () => {
    // Act
    const { outcome } = await controlFlow('unauthorized');

    // Assess
    expect(outcome.kind).toBe('unauthorized');
  });

  it.each([
    ['earlyReturn', undefined],
    ['earlyReturnToEnd', 'END'],
  ])('reports runtime.earlyReturn (%s) with its value and skipTo', async (action, skipTo) => {
    // Act
    const { outcome, result } = await controlFlow(action);

    // Assess
    expect(outcome.kind).toBe('earlyReturn');
    expect(result).toEqual({ cached: true });
    expect(outcome.kind === 'earlyReturn' && outcome.skipTo).toBe(skipTo ?? undefined);
  });

  it('reports a thrown JavaScript error as a Code error naming code.js, line and column', async () => {
    // Act
    const { error } = await controlFlow('typeError');

    // Assess
    expect(error?.errorType).toBe('Code');
    expect(error?.message).toMatch(/^code\.js:\d+:\d+: TypeError: Cannot read properties of undefined \(reading 'nested'\)$/);
  });

  it('reports a result that is not JSON as a Code error', async () => {
    // Act
    const { error } = await controlFlow('bigint');

    // Assess
    expect(error).toEqual({ message: expect.stringContaining('BigInt'), errorType: 'Code' });
  });

  it('refuses an async handler at load, as AppSync refuses to save it', async () => {
    // Act
    const load = loadAppSyncJsModule(`${FIXTURES}/rejected/async-handler.ts`);

    // Assess
    await expect(load).rejects.toMatchObject({ name: 'BadRequestException', detail: { codeErrors: [{ value: 'Async functions are not supported.' }] } });
  });
});

describe('code AppSync refuses, and the runaway guard', () => {
  it('refuses a resolver with a while loop at load with AppSync\'s CODE_ERROR', async () => {
    // Act
    const load = loadAppSyncJsModule(`${FIXTURES}/rejected/infinite-loop.ts`);

    // Assess
    const error = (await load.catch((e: unknown) => e)) as AppSyncCodeError;
    expect(error).toBeInstanceOf(AppSyncCodeError);
    expect(error.toJSON()).toEqual({
      message: 'The code contains one or more errors.',
      reason: 'CODE_ERROR',
      detail: { codeErrors: [{ errorType: 'LINT_ERROR', value: 'While statements are not supported.', location: { line: expect.any(Number), column: 3, span: expect.any(Number) } }] },
    });
    expect(error.name).toBe('BadRequestException');
    expect(error.message).toMatch(/infinite-loop\.ts:\d+:3: While statements are not supported\.$/);
  });

  it('ends unbounded recursion as a Code error of that call, and the module stays usable', async () => {
    // Prepare
    const module = await loadAppSyncJsModule(`${FIXTURES}/deep-recursion.ts`);

    // Act
    const overflowed = module.call('request', makeContext());
    const next = module.call('response', makeContext());

    // Assess
    expect(overflowed).toMatchObject({ kind: 'error', error: { errorType: 'Code', message: expect.stringContaining('RangeError: Maximum call stack size exceeded') } });
    expect(next).toMatchObject({ kind: 'returned', value: null });
  });
});

describe('the sandbox', () => {
  it('has none of the host globals APPSYNC_JS lacks, no eval, and no way back to the host', async () => {
    // Prepare
    const module = await loadAppSyncJsModule(`${FIXTURES}/rejected/sandbox-globals.ts`);

    // Act
    const globals = module.call('request', makeContext());
    const evaluated = module.call('callEval', makeContext());
    const escaped = module.call('reachHost', makeContext());

    // Assess
    expect(globals).toMatchObject({
      kind: 'returned',
      value: {
        types: {
          process: 'undefined',
          require: 'undefined',
          module: 'undefined',
          setTimeout: 'undefined',
          setInterval: 'undefined',
          setImmediate: 'undefined',
          fetch: 'undefined',
          Buffer: 'undefined',
          WebAssembly: 'undefined',
          Promise: 'undefined',
          Atomics: 'undefined',
          SharedArrayBuffer: 'undefined',
          __sluiceBridge: 'undefined',
        },
        utilIsGlobal: 'object',
        runtimeIsGlobal: 'object',
      },
    });
    expect(evaluated).toMatchObject({ kind: 'error', error: { message: expect.stringContaining('EvalError') } });
    expect(escaped).toMatchObject({ kind: 'error', error: { errorType: 'Code' } });
  });

  it('keeps modules apart: state set by one call is not seen by another module', async () => {
    // Prepare
    const [a, b] = await Promise.all([
      loadAppSyncJsModule(`${FIXTURES}/control-flow.ts`),
      loadAppSyncJsModule(`${FIXTURES}/control-flow.ts`),
    ]);

    // Act
    const fromA = a.call('request', makeContext({ arguments: { action: 'appendError' } }));
    const fromB = b.call('request', makeContext({ arguments: { action: 'echo' } }));

    // Assess
    expect(fromA.appendedErrors).toHaveLength(2);
    expect(fromB.appendedErrors).toEqual([]);
  });
});

describe('ctx, stash and logs', () => {
  it('writes the handler stash back into the caller ctx.stash, keeping the object', async () => {
    // Prepare
    const module = await loadAppSyncJsModule(`${FIXTURES}/control-flow.ts`);
    const stash = { budgetUsd: 5 };
    const ctx = makeContext({ arguments: { action: 'first' }, stash });

    // Act
    module.call('request', ctx);
    (ctx.arguments as { action: string }).action = 'second';
    const outcome = module.call('request', ctx);

    // Assess
    expect(ctx.stash).toBe(stash);
    expect(stash).toEqual({ budgetUsd: 5, seen: ['first', 'second'] });
    expect(outcome.stash).toEqual(stash);
  });

  it('gives the handler a copy of ctx, so it cannot change the caller objects other than the stash', async () => {
    // Prepare
    const module = await loadAppSyncJsModule(`${FIXTURES}/control-flow.ts`);
    const ctx = makeContext({ arguments: { action: 'echo' } });

    // Act
    module.call('request', ctx);

    // Assess
    expect(ctx.arguments).toEqual({ action: 'echo' });
  });

  it('captures console lines as CloudWatch shows them', async () => {
    // Act
    const { logs } = await controlFlow('log');

    // Assess
    expect(logs).toEqual(['INFO hello {"n":1}', 'ERROR oops']);
  });
});

describe('modules and their exports', () => {
  it('lists callables, including the request and response of an Events handler object', async () => {
    // Act
    const module = await loadAppSyncJsModule(`${FIXTURES}/event-handlers.ts`, { flavor: 'events' });

    // Assess
    expect([...module.callables].sort()).toEqual(['onPublish.request', 'onPublish.response', 'onSubscribe']);
    expect(module.has('onPublish')).toBe(false);
    expect(module.has('onPublish.response')).toBe(true);
  });

  it('throws a TypeError when asked to call a function the module does not export', async () => {
    // Prepare
    const module = await loadAppSyncJsModule(`${FIXTURES}/event-handlers.ts`, { flavor: 'events' });

    // Act
    const act = () => module.call('response', makeEventContext());

    // Assess
    expect(act).toThrow(TypeError);
  });

  it('fails to load a module whose top-level code throws', async () => {
    // Act
    const load = loadAppSyncJsModule(`${FIXTURES}/top-level-error.ts`);

    // Assess
    await expect(load).rejects.toThrow(AppSyncJsLoadError);
    await expect(load).rejects.toThrow(/Top-level code .* failed: code\.js:\d+:\d+: TypeError/);
  });

  it('fails to load a file that does not exist', async () => {
    // Act
    const load = loadAppSyncJsModule(`${FIXTURES}/no-such-file.ts`);

    // Assess
    await expect(load).rejects.toThrow(AppSyncJsLoadError);
  });

  it('loads already-bundled code, as EvaluateCode takes it', async () => {
    // Prepare
    const code = "import { util } from '@aws-appsync/utils';\nexport function request(ctx) { return util.dynamodb.toDynamoDB(ctx.args.n); }";

    // Act
    const module = await instantiateAppSyncJs(code);

    // Assess
    expect(module.call('request', { arguments: { n: 1 } })).toMatchObject({ kind: 'returned', value: { N: 1 } });
  });

  it('fails the handler that imports a module APPSYNC_JS does not offer', async () => {
    // Prepare
    const code = "import { toJsonObject } from '@aws-appsync/utils/rds';\nexport function request(ctx) { return toJsonObject(ctx.args); }";

    // Act
    const load = instantiateAppSyncJs(code);

    // Assess
    await expect(load).rejects.toThrow(/@aws-appsync\/utils\/rds is not available/);
  });
});

describe('Events and GraphQL', () => {
  it('runs an Events onSubscribe that refuses another user channel', async () => {
    // Prepare
    const ctx = makeEventContext({ channel: '/chat/someone-else/c1', operation: 'SUBSCRIBE' });

    // Act
    const { outcome } = await evaluateResolver(`${FIXTURES}/event-handlers.ts`, 'onSubscribe', ctx);

    // Assess
    expect(outcome.kind).toBe('unauthorized');
  });

  it('runs an Events onPublish response over ctx.events', async () => {
    // Prepare
    const ctx = makeEventContext({ payloads: [{ text: 'hi' }] });

    // Act
    const { result } = await evaluateResolver(`${FIXTURES}/event-handlers.ts`, 'onPublish.response', ctx);

    // Assess
    expect(result).toEqual([{ id: 'event-0', payload: { text: 'hi', seen: true } }]);
  });

  it('records extensions calls of a GraphQL resolver for the host', async () => {
    // Act
    const { outcome } = await evaluateResolver(`${FIXTURES}/extensions-and-http.ts`, 'response', makeContext({ arguments: { userId: 'u1' } }));

    // Assess
    expect(outcome.extensions).toEqual({
      subscriptionFilter: { filterGroup: [{ filters: [{ fieldName: 'userId', operator: 'eq', value: 'u1' }] }] },
      invalidations: [{ subscriptionField: 'onTurn', payload: { requestId: 'r1' } }],
      cacheEvictions: [{ typeName: 'Query', fieldName: 'myUsage', keys: { 'context.identity.sub': 'sub-1' } }],
    });
  });

  it('has no extensions in Events code', async () => {
    // Act
    const { error } = await evaluateResolver(`${FIXTURES}/extensions-and-http.ts`, 'response', makeContext(), { flavor: 'events' });

    // Assess
    expect(error).toMatchObject({ errorType: 'Code', message: expect.stringMatching(/TypeError: Cannot read properties of undefined/) });
  });
});
