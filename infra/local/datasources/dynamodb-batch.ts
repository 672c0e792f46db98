import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { isRecord } from './types.js';
import { DynamoDbRequestError, mergeExpressions, readExpression, toPlain, toSdkMap } from './dynamodb-values.js';

/**
 * DynamoDB's limits, which AppSync passes on.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
 */
export const MAX_BATCH_GET_KEYS = 100;
export const MAX_BATCH_WRITE_ITEMS = 25;
export const MAX_TRANSACT_ITEMS = 100;

type Request = Record<string, unknown>;
/** Maps the table name a resolver wrote (logical or physical) to the physical table. */
export type TableResolver = (name: string) => string;

function tablesOf(request: Request): [string, unknown][] {
  if (!isRecord(request.tables)) throw new DynamoDbRequestError('tables must be a map of table name to entries');
  return Object.entries(request.tables);
}

function keyString(key: Record<string, AttributeValue>): string {
  return JSON.stringify(Object.entries(key).sort(([a], [b]) => a.localeCompare(b)));
}

/** BatchGetItem: `{ data: { table: [item|null, …in key order] }, unprocessedKeys: { table: [] } }`. */
export async function batchGetItem(client: DynamoDBClient, resolveTable: TableResolver, request: Request) {
  const entries = tablesOf(request).map(([name, spec]) => {
    if (!isRecord(spec) || !Array.isArray(spec.keys)) throw new DynamoDbRequestError(`tables.${name}.keys must be a list`);
    const keys = spec.keys.map((k, i) => toSdkMap(k, `tables.${name}.keys[${i}]`));
    const projection = readExpression(spec.projection, `tables.${name}.projection`);
    return { name, physical: resolveTable(name), keys, consistentRead: Boolean(spec.consistentRead), projection };
  });
  if (entries.reduce((n, e) => n + e.keys.length, 0) > MAX_BATCH_GET_KEYS) {
    throw new DynamoDbRequestError(`BatchGetItem takes at most ${MAX_BATCH_GET_KEYS} keys`);
  }
  const out = await client.send(
    new BatchGetItemCommand({
      RequestItems: Object.fromEntries(
        entries.map((e) => [
          e.physical,
          {
            Keys: e.keys,
            ConsistentRead: e.consistentRead,
            ProjectionExpression: e.projection?.expression,
            ExpressionAttributeNames: e.projection?.expressionNames,
          },
        ]),
      ),
    }),
  );
  const data: Record<string, (Record<string, unknown> | null)[]> = {};
  const unprocessedKeys: Record<string, unknown[]> = {};
  for (const e of entries) {
    const found = out.Responses?.[e.physical] ?? [];
    const unprocessed = new Set((out.UnprocessedKeys?.[e.physical]?.Keys ?? []).map(keyString));
    // AppSync answers in the order of the request's keys, null where an item is missing.
    data[e.name] = e.keys.map((key) => {
      const item = found.find((candidate) => Object.entries(key).every(([k, v]) => keyString({ [k]: candidate[k] }) === keyString({ [k]: v })));
      return item && !unprocessed.has(keyString(key)) ? toPlain(item) : null;
    });
    unprocessedKeys[e.name] = e.keys.filter((k) => unprocessed.has(keyString(k))).map((k) => toPlain(k));
  }
  return { data, unprocessedKeys };
}

/** BatchPutItem / BatchDeleteItem: `{ data: { table: [items or keys] }, unprocessedItems|unprocessedKeys }`. */
export async function batchWrite(client: DynamoDBClient, resolveTable: TableResolver, request: Request, kind: 'put' | 'delete') {
  const entries = tablesOf(request).map(([name, list]) => {
    if (!Array.isArray(list)) throw new DynamoDbRequestError(`tables.${name} must be a list`);
    return { name, physical: resolveTable(name), values: list.map((v, i) => toSdkMap(v, `tables.${name}[${i}]`)) };
  });
  if (entries.reduce((n, e) => n + e.values.length, 0) > MAX_BATCH_WRITE_ITEMS) {
    throw new DynamoDbRequestError(`Batch writes take at most ${MAX_BATCH_WRITE_ITEMS} items`);
  }
  const out = await client.send(
    new BatchWriteItemCommand({
      RequestItems: Object.fromEntries(
        entries.map((e) => [
          e.physical,
          e.values.map((v) => (kind === 'put' ? { PutRequest: { Item: v } } : { DeleteRequest: { Key: v } })),
        ]),
      ),
    }),
  );
  const data: Record<string, unknown[]> = {};
  const unprocessed: Record<string, unknown[]> = {};
  for (const e of entries) {
    const left = (out.UnprocessedItems?.[e.physical] ?? []).map((w) => keyString(w.PutRequest?.Item ?? w.DeleteRequest?.Key ?? {}));
    data[e.name] = e.values.filter((v) => !left.includes(keyString(v))).map((v) => toPlain(v));
    unprocessed[e.name] = e.values.filter((v) => left.includes(keyString(v))).map((v) => toPlain(v));
  }
  return kind === 'put' ? { data, unprocessedItems: unprocessed } : { data, unprocessedKeys: unprocessed };
}

/** TransactGetItems: `{ items: [item|null…], cancellationReasons: null }`. */
export async function transactGetItems(client: DynamoDBClient, resolveTable: TableResolver, request: Request) {
  const items = transactList(request);
  const out = await client.send(
    new TransactGetItemsCommand({
      TransactItems: items.map((item, i) => {
        const projection = readExpression(item.projection, `transactItems[${i}].projection`);
        return {
          Get: {
            TableName: resolveTable(String(item.table)),
            Key: toSdkMap(item.key, `transactItems[${i}].key`),
            ProjectionExpression: projection?.expression,
            ExpressionAttributeNames: projection?.expressionNames,
          },
        };
      }),
    }),
  );
  return { items: (out.Responses ?? []).map((r) => toPlain(r.Item)), cancellationReasons: null };
}

function transactList(request: Request): Request[] {
  if (!Array.isArray(request.transactItems) || request.transactItems.length === 0) {
    throw new DynamoDbRequestError('transactItems must be a non-empty list');
  }
  if (request.transactItems.length > MAX_TRANSACT_ITEMS) throw new DynamoDbRequestError(`A transaction takes at most ${MAX_TRANSACT_ITEMS} items`);
  return request.transactItems.map((item, i) => {
    if (!isRecord(item) || typeof item.table !== 'string') throw new DynamoDbRequestError(`transactItems[${i}].table must be a string`);
    return item;
  });
}

function transactWriteItem(item: Request, i: number, resolveTable: TableResolver): TransactWriteItem {
  const where = `transactItems[${i}]`;
  const TableName = resolveTable(String(item.table));
  const Key = toSdkMap(item.key, `${where}.key`);
  const condition = readExpression(item.condition, `${where}.condition`);
  const conditionFields = {
    ConditionExpression: condition?.expression,
    ReturnValuesOnConditionCheckFailure:
      isRecord(item.condition) && item.condition.returnValuesOnConditionCheckFailure ? ('ALL_OLD' as const) : undefined,
  };
  switch (item.operation) {
    case 'PutItem':
      return { Put: { TableName, Item: { ...toSdkMap(item.attributeValues ?? {}, `${where}.attributeValues`), ...Key }, ...conditionFields, ...mergeExpressions(condition) } };
    case 'UpdateItem': {
      const update = readExpression(item.update, `${where}.update`);
      if (!update) throw new DynamoDbRequestError(`${where}.update is required`);
      return { Update: { TableName, Key, UpdateExpression: update.expression, ...conditionFields, ...mergeExpressions(update, condition) } };
    }
    case 'DeleteItem':
      return { Delete: { TableName, Key, ...conditionFields, ...mergeExpressions(condition) } };
    case 'ConditionCheck':
      if (!condition) throw new DynamoDbRequestError(`${where}.condition is required for ConditionCheck`);
      return { ConditionCheck: { TableName, Key, ConditionExpression: condition.expression, ...mergeExpressions(condition) } };
    default:
      throw new DynamoDbRequestError(`${where}.operation must be PutItem, UpdateItem, DeleteItem or ConditionCheck`);
  }
}

/** TransactWriteItems: `{ keys: [key…], cancellationReasons: null }`; a cancelled transaction raises (see dynamodb.ts). */
export async function transactWriteItems(client: DynamoDBClient, resolveTable: TableResolver, request: Request) {
  const items = transactList(request);
  await client.send(new TransactWriteItemsCommand({ TransactItems: items.map((item, i) => transactWriteItem(item, i, resolveTable)) }));
  return { keys: items.map((item, i) => toPlain(toSdkMap(item.key, `transactItems[${i}].key`))), cancellationReasons: null };
}
