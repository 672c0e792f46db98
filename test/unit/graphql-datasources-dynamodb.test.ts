import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from '../../infra/gateway.js';
import { createDynamoDbDataSource, type DataSourceOutcome } from '../../infra/local/datasources/index.js';
import { dynamoDbClient, ensureTables, physicalTableName } from '../../infra/local/dynamodb.js';
import { freePort } from '../../infra/local/ports.js';
import { sharedBackingServices } from '../helpers/services.js';

const TABLES: Table[] = [
  { name: 'Items', partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'N' } },
  { name: 'Others', partitionKey: { name: 'id', type: 'S' } },
];

/** AttributeValue JSON the way APPSYNC_JS's util.dynamodb writes it (numbers stay numbers). */
const S = (value: string) => ({ S: value });
const N = (value: number) => ({ N: value });

describe('the DynamoDB data source (against DynamoDB Local)', () => {
  const prefix = `ds${randomBytes(4).toString('hex')}-`;
  const endpoint = () => sharedBackingServices().dynamodb.endpoint;
  let items: ReturnType<typeof createDynamoDbDataSource>;
  const run = (request: unknown): Promise<DataSourceOutcome> => items.invoke(request);

  beforeAll(async () => {
    const client = dynamoDbClient(endpoint());
    await ensureTables(client, TABLES, prefix);
    client.destroy();
    items = createDynamoDbDataSource(
      { dynamodb: { endpoint: endpoint(), tablePrefix: prefix, tableName: (n) => physicalTableName(prefix, { name: n }) }, tables: TABLES },
      'Items',
    );
  });
  afterAll(() => items?.close());

  it('puts an item and gets it back as plain JSON', async () => {
    // Act
    const put = await run({ operation: 'PutItem', key: { pk: S('a'), sk: N(1) }, attributeValues: { tags: { SS: ['x', 'y'] }, n: N(2.5), ok: { BOOL: true } } });
    const got = await run({ operation: 'GetItem', key: { pk: S('a'), sk: N(1) }, consistentRead: true });
    // Assess
    expect(put).toEqual({ result: { pk: 'a', sk: 1, tags: ['x', 'y'], n: 2.5, ok: true } });
    expect(got.result).toEqual({ pk: 'a', sk: 1, tags: ['x', 'y'], n: 2.5, ok: true });
  });

  it('reports a failed condition as DynamoDB:ConditionalCheckFailedException and keeps the item', async () => {
    // Prepare
    await run({ operation: 'PutItem', key: { pk: S('c'), sk: N(1) }, attributeValues: { v: S('first') } });
    // Act
    const outcome = await run({
      operation: 'PutItem',
      key: { pk: S('c'), sk: N(1) },
      attributeValues: { v: S('second') },
      condition: { expression: 'attribute_not_exists(pk)' },
    });
    // Assess
    expect(outcome.error?.type).toBe('DynamoDB:ConditionalCheckFailedException');
    expect((await run({ operation: 'GetItem', key: { pk: S('c'), sk: N(1) } })).result).toMatchObject({ v: 'first' });
  });

  it('updates with expression names and values and returns the whole new item', async () => {
    // Prepare
    await run({ operation: 'PutItem', key: { pk: S('u'), sk: N(1) }, attributeValues: { count: N(1), status: S('new') } });
    // Act
    const outcome = await run({
      operation: 'UpdateItem',
      key: { pk: S('u'), sk: N(1) },
      update: { expression: 'SET #c = #c + :one, #s = :s', expressionNames: { '#c': 'count', '#s': 'status' }, expressionValues: { ':one': N(1), ':s': S('seen') } },
      condition: { expression: '#s = :old', expressionNames: { '#s': 'status' }, expressionValues: { ':old': S('new') } },
    });
    // Assess
    expect(outcome.result).toEqual({ pk: 'u', sk: 1, count: 2, status: 'seen' });
  });

  it('deletes an item and returns what was deleted', async () => {
    // Prepare
    await run({ operation: 'PutItem', key: { pk: S('d'), sk: N(1) }, attributeValues: { v: S('bye') } });
    // Act
    const outcome = await run({ operation: 'DeleteItem', key: { pk: S('d'), sk: N(1) } });
    // Assess
    expect(outcome.result).toEqual({ pk: 'd', sk: 1, v: 'bye' });
    expect((await run({ operation: 'GetItem', key: { pk: S('d'), sk: N(1) } })).result).toBeNull();
  });

  it('queries page by page with a filter: { items, nextToken, scannedCount }', async () => {
    // Prepare
    for (let sk = 1; sk <= 5; sk++) await run({ operation: 'PutItem', key: { pk: S('q'), sk: N(sk) }, attributeValues: { even: { BOOL: sk % 2 === 0 } } });
    const query = { expression: 'pk = :pk AND sk >= :from', expressionValues: { ':pk': S('q'), ':from': N(2) } };
    // Act
    const first = await run({ operation: 'Query', query, limit: 2, scanIndexForward: false });
    const second = await run({ operation: 'Query', query, limit: 2, scanIndexForward: false, nextToken: (first.result as { nextToken: string }).nextToken });
    const filtered = await run({ operation: 'Query', query, filter: { expression: 'even = :t', expressionValues: { ':t': { BOOL: true } } } });
    // Assess
    expect(first.result).toMatchObject({ items: [{ sk: 5 }, { sk: 4 }], scannedCount: 2, nextToken: expect.any(String) });
    expect((second.result as { items: unknown[] }).items).toEqual([expect.objectContaining({ sk: 3 }), expect.objectContaining({ sk: 2 })]);
    expect(filtered.result).toMatchObject({ items: [{ sk: 2 }, { sk: 4 }], scannedCount: 4, nextToken: null });
  });

  it('scans with a filter', async () => {
    // Act
    const outcome = await run({ operation: 'Scan', filter: { expression: 'pk = :pk', expressionValues: { ':pk': S('q') } } });
    // Assess
    expect((outcome.result as { items: unknown[] }).items).toHaveLength(5);
  });

  it('batch-puts, batch-gets in key order with null for a missing item, and batch-deletes', async () => {
    // Act
    const put = await run({ operation: 'BatchPutItem', tables: { Others: [{ id: S('b1'), v: N(1) }, { id: S('b2'), v: N(2) }] } });
    const got = await run({ operation: 'BatchGetItem', tables: { Others: { keys: [{ id: S('b2') }, { id: S('missing') }, { id: S('b1') }], consistentRead: true } } });
    const deleted = await run({ operation: 'BatchDeleteItem', tables: { Others: [{ id: S('b1') }] } });
    // Assess
    expect(put.result).toEqual({ data: { Others: [{ id: 'b1', v: 1 }, { id: 'b2', v: 2 }] }, unprocessedItems: { Others: [] } });
    expect(got.result).toEqual({ data: { Others: [{ id: 'b2', v: 2 }, null, { id: 'b1', v: 1 }] }, unprocessedKeys: { Others: [] } });
    expect(deleted.result).toEqual({ data: { Others: [{ id: 'b1' }] }, unprocessedKeys: { Others: [] } });
  });

  it('writes a transaction atomically and reports cancellation reasons when a condition fails', async () => {
    // Prepare
    const put = (id: string) => ({ table: 'Others', operation: 'PutItem', key: { id: S(id) }, attributeValues: { v: N(1) }, condition: { expression: 'attribute_not_exists(id)' } });
    // Act
    const ok = await run({ operation: 'TransactWriteItems', transactItems: [put('t1'), put('t2')] });
    const cancelled = await run({ operation: 'TransactWriteItems', transactItems: [put('t3'), put('t1')] });
    const read = await run({ operation: 'TransactGetItems', transactItems: [{ table: 'Others', key: { id: S('t3') } }, { table: 'Others', key: { id: S('t2') } }] });
    // Assess
    expect(ok.result).toEqual({ keys: [{ id: 't1' }, { id: 't2' }], cancellationReasons: null });
    expect(cancelled.error?.type).toBe('DynamoDB:TransactionCanceledException');
    expect(cancelled.result).toEqual({ keys: null, cancellationReasons: [expect.objectContaining({ type: 'None' }), expect.objectContaining({ type: 'ConditionalCheckFailed' })] });
    expect(read.result).toEqual({ items: [null, { id: 't2', v: 1 }], cancellationReasons: null });
  });

  it.each([
    { name: 'an unknown operation', request: { operation: 'Sync' } },
    { name: 'a key that is not AttributeValue JSON', request: { operation: 'GetItem', key: { pk: 'a' } } },
    { name: 'a forged nextToken', request: { operation: 'Query', query: { expression: 'pk = :p', expressionValues: { ':p': S('q') } }, nextToken: 'not-a-token' } },
    { name: 'a request that is not an object', request: 'GetItem' },
  ])('turns $name into an error instead of a crash', async ({ request }) => {
    // Act
    const outcome = await run(request);
    // Assess
    expect(outcome.result).toBeNull();
    expect(outcome.error?.type).toMatch(/^(MappingTemplate|DynamoDB:)/);
  });

  it('reports a DynamoDB it cannot reach as DynamoDB:ServiceUnavailable, a dependency\'s failure, not InternalFailure', async () => {
    // Prepare: a port nothing listens on.
    const port = await freePort();
    const unreachable = createDynamoDbDataSource(
      { dynamodb: { endpoint: `http://127.0.0.1:${port}`, tablePrefix: prefix, tableName: (n) => physicalTableName(prefix, { name: n }) }, tables: TABLES },
      'Items',
    );
    try {
      // Act
      const outcome = await unreachable.invoke({ operation: 'GetItem', key: { pk: S('a'), sk: N(1) } });
      // Assess
      expect(outcome.error).toMatchObject({ type: 'DynamoDB:ServiceUnavailable', message: expect.stringMatching(/^DynamoDB is unreachable: .*ECONNREFUSED/) });
    } finally {
      unreachable.close();
    }
  });
});
