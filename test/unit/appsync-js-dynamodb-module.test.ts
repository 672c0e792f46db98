// `@aws-appsync/utils/dynamodb`: the request builders. `get` is checked against the value
// localstack/appsync-utils recorded from AWS; the other shapes follow the module's type
// declarations (lib/resolver-return-types.d.ts), with the twin's own expression strings.
import { describe, expect, it } from 'vitest';
import { evaluateResolver, makeContext } from '../helpers/evaluate-resolver.js';

const FIXTURE = 'test/fixtures/appsync-js/dynamodb-module.ts';
const requestFor = async (operation: string) =>
  (await evaluateResolver(FIXTURE, 'request', makeContext({ arguments: { operation, id: 'p1' } }))).result;

describe('@aws-appsync/utils/dynamodb', () => {
  it('get builds a GetItem request with a typed key', async () => {
    // Recorded: ddb.get({ key: { id: "id" } }) → { "key": { "id": { "S": "id" } }, "operation": "GetItem" }
    // Act
    const result = await requestFor('get');

    // Assess
    expect(result).toEqual({ operation: 'GetItem', key: { id: { S: 'p1' } } });
  });

  it('put builds a PutItem request with attribute values and a condition', async () => {
    // Act
    const result = await requestFor('put');

    // Assess
    expect(result).toEqual({
      operation: 'PutItem',
      key: { id: { S: 'p1' } },
      attributeValues: { title: { S: 'Hello' }, views: { N: 0 } },
      condition: { expression: '(attribute_not_exists(#id))', expressionNames: { '#id': 'id' }, expressionValues: {} },
    });
  });

  it('update renders SET, ADD and REMOVE clauses from values and operations', async () => {
    // Act
    const result = await requestFor('update');

    // Assess
    expect(result).toEqual({
      operation: 'UpdateItem',
      key: { id: { S: 'p1' } },
      update: {
        expression: 'SET #title = :title ADD #views :views REMOVE #draft',
        expressionNames: { '#title': 'title', '#views': 'views', '#draft': 'draft' },
        expressionValues: { ':title': { S: 'Renamed' }, ':views': { N: 2 } },
      },
    });
  });

  it('query renders a key condition and keeps paging options', async () => {
    // Act
    const result = await requestFor('query');

    // Assess
    expect(result).toEqual({
      operation: 'Query',
      query: { expression: '#id = :id_eq', expressionNames: { '#id': 'id' }, expressionValues: { ':id_eq': { S: 'p1' } } },
      limit: 10,
      scanIndexForward: false,
    });
  });

  it('re-exports util, so one import serves both', async () => {
    // Act
    const { error } = await evaluateResolver(FIXTURE, 'request', makeContext({ arguments: { operation: 'bogus', id: 'p1' } }));

    // Assess
    expect(error).toEqual({ message: 'Unknown operation bogus' });
  });
});

describe('@aws-appsync/utils/dynamodb builders', () => {
  const build = async (fn: string, ...args: unknown[]) =>
    (await evaluateResolver('test/fixtures/appsync-js/dynamodb-call.ts', 'request', makeContext({ arguments: { fn, args } }))).result;

  it.each([
    ['add', [['a']], { _type: 'add', payload: ['a'] }],
    ['remove', [], { _type: 'remove' }],
    ['replace', [{ a: 1 }], { _type: 'replace', payload: { a: 1 } }],
    ['increment', [], { _type: 'increment', by: 1 }],
    ['decrement', [3], { _type: 'decrement', by: 3 }],
    ['append', [[1]], { _type: 'append', payload: [1] }],
    ['prepend', [[1]], { _type: 'prepend', payload: [1] }],
    ['updateListItem', ['x', 2], { _type: 'updateListItem', payload: 'x', index: 2 }],
  ])('operations.%s builds the operation the type declarations describe', async (name, args, expected) => {
    // Act
    const result = await build(`operations.${name}`, ...args);

    // Assess
    expect(result).toEqual(expected);
  });

  it('update renders every kind of operation and nested maps', async () => {
    // Prepare
    const input = {
      key: { pk: 'u1', sk: 2 },
      update: {
        tags: { _type: 'add', payload: { SS: ['a'] } },
        credits: { _type: 'decrement', by: 3 },
        history: { _type: 'append', payload: ['h'] },
        recent: { _type: 'prepend', payload: ['r'] },
        slots: [{ _type: 'updateListItem', payload: 'x', index: 1 }],
        profile: { name: 'Al', prefs: { _type: 'replace', payload: { dark: true } } },
      },
      condition: { version: { eq: 4 } },
    };

    // Act
    const result = await build('update', input);

    // Assess
    expect(result).toEqual({
      operation: 'UpdateItem',
      key: { pk: { S: 'u1' }, sk: { N: 2 } },
      update: {
        expression:
          'SET #history = list_append(#history, :history), #recent = list_append(:recent, #recent), #slots[1] = :slots_1, #profile.#name = :profile_name, #profile.#prefs = :profile_prefs ADD #tags :tags, #credits :credits',
        expressionNames: {
          '#tags': 'tags',
          '#credits': 'credits',
          '#history': 'history',
          '#recent': 'recent',
          '#slots': 'slots',
          '#profile': 'profile',
          '#name': 'name',
          '#prefs': 'prefs',
        },
        expressionValues: {
          ':tags': { SS: ['a'] },
          ':credits': { N: -3 },
          ':history': { L: [{ S: 'h' }] },
          ':recent': { L: [{ S: 'r' }] },
          ':slots_1': { S: 'x' },
          ':profile_name': { S: 'Al' },
          ':profile_prefs': { M: { dark: { BOOL: true } } },
        },
      },
      condition: { expression: '(#version = :version_eq)', expressionNames: { '#version': 'version' }, expressionValues: { ':version_eq': { N: 4 } } },
    });
  });

  it('query renders range key conditions, filter, projection and index', async () => {
    // Act
    const result = await build('query', {
      query: { pk: { eq: 'u1' }, sk: { between: ['2024-01', '2024-12'] } },
      filter: { model: { beginsWith: 'claude' } },
      index: 'byDay',
      projection: ['pk', 'usage.costUsd'],
      select: 'ALL_ATTRIBUTES',
      nextToken: null,
    });

    // Assess
    expect(result).toEqual({
      operation: 'Query',
      query: {
        expression: '#pk = :pk_eq AND #sk BETWEEN :sk_between_start AND :sk_between_end',
        expressionNames: { '#pk': 'pk', '#sk': 'sk' },
        expressionValues: { ':pk_eq': { S: 'u1' }, ':sk_between_start': { S: '2024-01' }, ':sk_between_end': { S: '2024-12' } },
      },
      index: 'byDay',
      filter: { expression: '(begins_with(#model,:model_beginsWith))', expressionNames: { '#model': 'model' }, expressionValues: { ':model_beginsWith': { S: 'claude' } } },
      projection: { expression: '#pk, #usage.#costUsd', expressionNames: { '#pk': 'pk', '#usage': 'usage', '#costUsd': 'costUsd' } },
      select: 'ALL_ATTRIBUTES',
    });
  });

  it('query refuses an operator a key condition cannot have', async () => {
    // Act
    const { error } = await evaluateResolver('test/fixtures/appsync-js/dynamodb-call.ts', 'request', makeContext({ arguments: { fn: 'query', args: [{ query: { pk: { ne: 'x' } } }] } }));

    // Assess
    expect(error?.message).toMatch(/Invalid key condition operator 'ne' on pk/);
  });

  it.each([
    ['scan', { limit: 5, segment: 0, totalSegments: 2 }, { operation: 'Scan', limit: 5, segment: 0, totalSegments: 2 }],
    ['remove', { key: { id: 'a' } }, { operation: 'DeleteItem', key: { id: { S: 'a' } } }],
    ['sync', { limit: 10, lastSync: 5 }, { operation: 'Sync', limit: 10, lastSync: 5 }],
    [
      'batchGet',
      { tables: { posts: { keys: [{ id: 'a' }], consistentRead: true } } },
      { operation: 'BatchGetItem', tables: { posts: { keys: [{ id: { S: 'a' } }], consistentRead: true } } },
    ],
    ['batchPut', { tables: { posts: [{ id: 'a', n: 1 }] } }, { operation: 'BatchPutItem', tables: { posts: [{ id: { S: 'a' }, n: { N: 1 } }] } }],
    ['batchDelete', { tables: { posts: [{ id: 'a' }] } }, { operation: 'BatchDeleteItem', tables: { posts: [{ id: { S: 'a' } }] } }],
    ['transactGet', { items: [{ table: 'posts', key: { id: 'a' } }] }, { operation: 'TransactGetItems', transactItems: [{ table: 'posts', key: { id: { S: 'a' } } }] }],
    [
      'transactWrite',
      { items: [{ putItem: { table: 'posts', key: { id: 'a' }, item: { n: 1 } } }, { conditionCheck: { table: 'budgets', key: { id: 'u' }, condition: { spent: { le: 5 } } } }] },
      {
        operation: 'TransactWriteItems',
        transactItems: [
          { table: 'posts', operation: 'PutItem', key: { id: { S: 'a' } }, attributeValues: { n: { N: 1 } } },
          {
            table: 'budgets',
            operation: 'ConditionCheck',
            key: { id: { S: 'u' } },
            condition: { expression: '(#spent <= :spent_le)', expressionNames: { '#spent': 'spent' }, expressionValues: { ':spent_le': { N: 5 } } },
          },
        ],
      },
    ],
    ['toStringSet', ['a'], { SS: ['a'] }],
  ])('%s builds the request its type declares', async (fn, input, expected) => {
    // Act
    const result = await build(fn, input);

    // Assess
    expect(result).toEqual(expected);
  });
});
