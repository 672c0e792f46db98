import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthMode, type DataSource, type GraphqlApi } from '../../infra/gateway.js';
import { createDataSources, type AppSyncLambdaEvent } from '../../infra/local/datasources/index.js';
import { buildAppSyncSchema } from '../../infra/local/graphql/appsync-schema.js';
import { createGraphqlExecutor, type GraphqlExecutor } from '../../infra/local/graphql/executor.js';
import type { Caller } from '../../infra/local/graphql/field-auth.js';
import { createResolverLoader } from '../../infra/local/graphql/resolver-loader.js';
import { LocalLambdaInvoker, type TwinFunctionSettings } from '../../infra/local/lambda.js';
import { cognitoIdentity } from '../helpers/evaluate-resolver.js';

const SDL = /* GraphQL */ `
  type Query {
    pipe(n: Int): Result
    withLambda: Result
    appended: Result
    failing: Result
    early: Result
    looping: Result
    adminsOnly: String @aws_cognito_user_pools(cognito_groups: ["admins"])
    keyOnly: String @aws_api_key
    when(at: AWSDateTime!): AWSDateTime
  }
  type Result {
    trail: [String]
    last: AWSJSON
    partial: Boolean
    early: Boolean
  }
`;

const FIXTURES = 'test/fixtures/graphql/pipeline';
const step = (name: string, dataSource: string) => ({ name, code: `${FIXTURES}/${name}.ts`, dataSource });
const resolver = (fieldName: string, pipeline: string[]) => ({ typeName: 'Query', fieldName, code: `${FIXTURES}/before.ts`, pipeline });

const API: Pick<GraphqlApi, 'defaultAuthMode' | 'resolvers' | 'functions'> = {
  defaultAuthMode: AuthMode.COGNITO,
  functions: [
    step('none-step', 'None'),
    step('lambda-step', 'Echo'),
    step('append-step', 'None'),
    step('error-step', 'None'),
    step('early-step', 'None'),
    step('loop-step', 'None'),
  ],
  resolvers: [
    resolver('pipe', ['none-step', 'none-step']),
    resolver('withLambda', ['lambda-step']),
    resolver('appended', ['append-step']),
    resolver('failing', ['none-step', 'error-step']),
    resolver('early', ['early-step', 'error-step']),
    resolver('looping', ['loop-step']),
  ],
};
const DATA_SOURCES: DataSource[] = [
  { name: 'None', type: 'NONE' },
  { name: 'Echo', type: 'AWS_LAMBDA', functionName: 'echo' },
];

const alice: Caller = { mode: AuthMode.COGNITO, identity: cognitoIdentity() as Caller['identity'] };

describe('the GraphQL executor (pipelines through the APPSYNC_JS runtime)', () => {
  const lambdaEvents: AppSyncLambdaEvent[] = [];
  let executor: GraphqlExecutor;
  let lambda: LocalLambdaInvoker;
  const loader = createResolverLoader();

  beforeAll(() => {
    lambda = new LocalLambdaInvoker({
      functions: [],
      // Only the in-process override runs here: no execution environment is started.
      settings: { region: 'us-east-1' } as TwinFunctionSettings,
      accountId: '000000000000',
      overrides: { echo: async (event) => (lambdaEvents.push(event as AppSyncLambdaEvent), { trail: ['from-lambda'] }) },
    });
    const sources = createDataSources({ dynamodb: { endpoint: 'http://127.0.0.1:1', tablePrefix: '', tableName: (n) => n }, lambda, tables: [] });
    executor = createGraphqlExecutor({
      schema: buildAppSyncSchema(SDL),
      api: API,
      dataSources: DATA_SOURCES,
      load: loader.load,
      invokeDataSource: (dataSource, request, lambdaEvent) => sources.invoke({ dataSource, request, lambdaEvent }),
    });
  });
  afterAll(() => loader.close());

  const run = (query: string, caller: Caller = alice, variables?: Record<string, unknown>) => executor.execute({ query, caller, headers: {}, variables });

  it('shares the stash across before, every function and after, and passes prev.result along', async () => {
    // Act
    const body = await run('{ pipe(n: 7) { trail last } }');
    // Assess
    expect(body.errors).toBeUndefined();
    expect(body.data?.pipe).toEqual({
      trail: ['before', 'none-step', 'none-step'],
      last: JSON.stringify({ sawPrev: { sawPrev: { from: 'before' }, n: 7 }, n: 7 }),
    });
  });

  it('sends a Lambda without payload the AppSync event: arguments, identity, request, prev, info, stash', async () => {
    // Act
    const body = await run('{ withLambda { last } }');
    // Assess
    expect(body.data?.withLambda).toEqual({ last: JSON.stringify({ trail: ['from-lambda'] }) });
    expect(lambdaEvents.at(-1)).toMatchObject({
      arguments: {},
      identity: { sub: cognitoIdentity().sub },
      source: null,
      request: { headers: {} },
      prev: { result: { from: 'before' } },
      info: { fieldName: 'withLambda', parentTypeName: 'Query', selectionSetList: ['last'] },
      stash: { trail: ['before', 'lambda-step'] },
    });
  });

  it('keeps the data of a field that called util.appendError and lists the error', async () => {
    // Act
    const body = await run('{ appended { last } }');
    // Assess
    expect(body.data).toEqual({ appended: { last: JSON.stringify({ partial: true }) } });
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ['appended'], errorType: 'Warning', message: 'Heads up', data: { kept: true }, errorInfo: { hint: 'appended' } }),
    ]);
  });

  it('nulls a field that called util.error and reports errorType, data and errorInfo', async () => {
    // Act
    const body = await run('{ failing { partial } pipe { trail } }');
    // Assess
    expect(body.data).toEqual({ failing: null, pipe: { trail: ['before', 'none-step', 'none-step'] } });
    expect(body.errors).toEqual([
      { path: ['failing'], errorType: 'CustomError', message: 'Nope', data: { some: 'data' }, errorInfo: { more: 'info' }, locations: [{ line: 1, column: 3, sourceName: null }] },
    ]);
  });

  it('skips the rest of the pipeline after runtime.earlyReturn with skipTo END', async () => {
    // Act
    const body = await run('{ early { early trail } }');
    // Assess
    expect(body.errors).toBeUndefined();
    expect(body.data?.early).toEqual({ early: null, trail: ['before'] });
  });

  it('refuses a pipeline function with a loop AppSync would refuse to save, instead of running it', async () => {
    // Act
    const body = await run('{ looping { trail } }');
    // Assess
    expect(body.data).toEqual({ looping: null });
    expect(body.errors?.[0]).toMatchObject({ path: ['looping'], message: expect.stringMatching(/^The code contains one or more errors\. .*loop-step\.ts:\d+:\d+: For statements are not supported\./) });
  });

  it.each([
    { caller: alice, field: 'adminsOnly', allowed: false },
    { caller: { mode: AuthMode.COGNITO, identity: cognitoIdentity({ groups: ['admins'] }) } as Caller, field: 'adminsOnly', allowed: true },
    { caller: alice, field: 'keyOnly', allowed: false },
    { caller: { mode: AuthMode.API_KEY, identity: null } as Caller, field: 'keyOnly', allowed: true },
    { caller: { mode: AuthMode.API_KEY, identity: null } as Caller, field: 'adminsOnly', allowed: false },
  ])('applies the auth directives of $field field by field (allowed: $allowed)', async ({ caller, field, allowed }) => {
    // Act
    const body = await run(`{ ${field} }`, caller);
    // Assess
    if (allowed) expect(body.errors).toBeUndefined();
    else expect(body.errors).toEqual([expect.objectContaining({ errorType: 'Unauthorized', message: `Not Authorized to access ${field} on type Query`, path: [field] })]);
  });

  it.each([
    { name: 'an unknown field', query: '{ nope }', kind: 'FieldUndefined' },
    { name: 'an argument of the wrong type', query: '{ pipe(n: "seven") { trail } }', kind: 'WrongType' },
    { name: 'a missing required argument', query: '{ when }', kind: 'MissingFieldArgument' },
    { name: 'an invalid AWSDateTime literal', query: '{ when(at: "2025-02-30T00:00:00Z") }', kind: 'WrongType' },
  ])('rejects $name with an AppSync validation error before anything runs', async ({ query, kind }) => {
    // Act
    const body = await run(query);
    // Assess
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ path: null, errorType: 'ValidationError', message: expect.stringContaining(`Validation error of type ${kind}:`) });
  });

  it('rejects a variable that does not coerce with a validation error', async () => {
    // Act
    const body = await run('query Q($at: AWSDateTime!) { when(at: $at) }', alice, { at: '2025-01-01' });
    // Assess
    expect(body).toMatchObject({ data: null, errors: [{ errorType: 'ValidationError' }] });
  });

  it('answers a syntax error with InvalidSyntax', async () => {
    // Act
    const body = await run('{ pipe(');
    // Assess
    expect(body).toMatchObject({ data: null, errors: [{ errorType: 'InvalidSyntax', message: expect.stringMatching(/^Invalid Syntax : /) }] });
  });

  it('names a request that outlives its time limit in a Lambda data source Lambda:ExecutionTimeoutException, as AppSync does', async () => {
    // Prepare: the same API, a 100 ms request limit and a Lambda that answers after a second.
    const slowLambda = new LocalLambdaInvoker({
      functions: [],
      // Only the in-process override runs here: no execution environment is started.
      settings: { region: 'us-east-1' } as TwinFunctionSettings,
      accountId: '000000000000',
      overrides: { echo: () => new Promise((resolve) => setTimeout(() => resolve({ trail: ['late'] }), 1000)) },
    });
    const sources = createDataSources({ dynamodb: { endpoint: 'http://127.0.0.1:1', tablePrefix: '', tableName: (n) => n }, lambda: slowLambda, tables: [] });
    const slow = createGraphqlExecutor({
      schema: buildAppSyncSchema(SDL),
      api: API,
      dataSources: DATA_SOURCES,
      load: loader.load,
      invokeDataSource: (dataSource, request, lambdaEvent) => sources.invoke({ dataSource, request, lambdaEvent }),
      requestTimeoutMs: 100,
    });
    // Act
    const body = await slow.execute({ query: '{ withLambda { last } }', caller: alice, headers: {} });
    // Assess
    expect(body.data).toEqual({ withLambda: null });
    expect(body.errors?.[0]).toMatchObject({ path: ['withLambda'], errorType: 'Lambda:ExecutionTimeoutException', message: 'Execution timed out.' });
  });
});
