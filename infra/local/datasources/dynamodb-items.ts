import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { isRecord } from './types.js';
import {
  decodeNextToken,
  DynamoDbRequestError,
  encodeNextToken,
  mergeExpressions,
  readExpression,
  toPlain,
  toSdkMap,
} from './dynamodb-values.js';

/** AppSync caps a Query or Scan page; DynamoDB itself also stops at 1 MB. */
export const MAX_PAGE_LIMIT = 1000;

type Request = Record<string, unknown>;

function projection(request: Request) {
  const part = readExpression(request.projection, 'projection');
  return { part, ProjectionExpression: part?.expression };
}

function limit(request: Request): number | undefined {
  if (request.limit === undefined || request.limit === null) return undefined;
  const value = Number(request.limit);
  if (!Number.isInteger(value) || value < 1) throw new DynamoDbRequestError('limit must be a positive integer');
  return Math.min(value, MAX_PAGE_LIMIT);
}

/** GetItem: `ctx.result` is the item, or null. */
export async function getItem(client: DynamoDBClient, table: string, request: Request) {
  const { part, ProjectionExpression } = projection(request);
  const out = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: toSdkMap(request.key, 'key'),
      ConsistentRead: Boolean(request.consistentRead),
      ProjectionExpression,
      ExpressionAttributeNames: part?.expressionNames,
    }),
  );
  return toPlain(out.Item);
}

/** PutItem: the key merges into `attributeValues`; `ctx.result` is the item written. */
export async function putItem(client: DynamoDBClient, table: string, request: Request) {
  const item = { ...toSdkMap(request.attributeValues ?? {}, 'attributeValues'), ...toSdkMap(request.key, 'key') };
  const condition = readExpression(request.condition, 'condition');
  await client.send(
    new PutItemCommand({
      TableName: table,
      Item: item,
      ConditionExpression: condition?.expression,
      ...mergeExpressions(condition),
    }),
  );
  return toPlain(item);
}

/** UpdateItem: `ctx.result` is the whole item after the update. */
export async function updateItem(client: DynamoDBClient, table: string, request: Request) {
  const update = readExpression(request.update, 'update');
  if (!update) throw new DynamoDbRequestError('UpdateItem needs an update expression');
  const condition = readExpression(request.condition, 'condition');
  const out = await client.send(
    new UpdateItemCommand({
      TableName: table,
      Key: toSdkMap(request.key, 'key'),
      UpdateExpression: update.expression,
      ConditionExpression: condition?.expression,
      ...mergeExpressions(update, condition),
      ReturnValues: 'ALL_NEW',
    }),
  );
  return toPlain(out.Attributes);
}

/** DeleteItem: `ctx.result` is the item that was deleted, or null. */
export async function deleteItem(client: DynamoDBClient, table: string, request: Request) {
  const condition = readExpression(request.condition, 'condition');
  const out = await client.send(
    new DeleteItemCommand({
      TableName: table,
      Key: toSdkMap(request.key, 'key'),
      ConditionExpression: condition?.expression,
      ...mergeExpressions(condition),
      ReturnValues: 'ALL_OLD',
    }),
  );
  return toPlain(out.Attributes);
}

/** Query: `ctx.result` is `{ items, nextToken, scannedCount }`. */
export async function query(client: DynamoDBClient, table: string, request: Request) {
  const key = readExpression(request.query, 'query');
  if (!key) throw new DynamoDbRequestError('Query needs a query (key condition) expression');
  const filter = readExpression(request.filter, 'filter');
  const { part, ProjectionExpression } = projection(request);
  const out = await client.send(
    new QueryCommand({
      TableName: table,
      IndexName: typeof request.index === 'string' ? request.index : undefined,
      KeyConditionExpression: key.expression,
      FilterExpression: filter?.expression,
      ProjectionExpression,
      ...mergeExpressions(key, filter, part),
      Limit: limit(request),
      ExclusiveStartKey: decodeNextToken(request.nextToken),
      ScanIndexForward: request.scanIndexForward === undefined ? undefined : Boolean(request.scanIndexForward),
      ConsistentRead: Boolean(request.consistentRead),
      Select: request.select === 'ALL_PROJECTED_ATTRIBUTES' ? 'ALL_PROJECTED_ATTRIBUTES' : undefined,
    }),
  );
  return { items: (out.Items ?? []).map(toPlain), nextToken: encodeNextToken(out.LastEvaluatedKey), scannedCount: out.ScannedCount ?? 0 };
}

/** Scan: `ctx.result` is `{ items, nextToken, scannedCount }`. */
export async function scan(client: DynamoDBClient, table: string, request: Request) {
  const filter = readExpression(request.filter, 'filter');
  const { part, ProjectionExpression } = projection(request);
  const segmented = isRecord(request) && request.totalSegments !== undefined;
  const out = await client.send(
    new ScanCommand({
      TableName: table,
      IndexName: typeof request.index === 'string' ? request.index : undefined,
      FilterExpression: filter?.expression,
      ProjectionExpression,
      ...mergeExpressions(filter, part),
      Limit: limit(request),
      ExclusiveStartKey: decodeNextToken(request.nextToken),
      ConsistentRead: Boolean(request.consistentRead),
      TotalSegments: segmented ? Number(request.totalSegments) : undefined,
      Segment: segmented ? Number(request.segment) : undefined,
    }),
  );
  return { items: (out.Items ?? []).map(toPlain), nextToken: encodeNextToken(out.LastEvaluatedKey), scannedCount: out.ScannedCount ?? 0 };
}
