/**
 * `@aws-appsync/utils/dynamodb`: builders of DynamoDB data source requests. The request shapes
 * follow the module's type declarations (lib/resolver-return-types.d.ts); filters and conditions
 * use the same renderer as `util.transform`. Only `get` has an output recorded from AWS
 * (localstack/appsync-utils), so the other expression strings are the twin's own.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/built-in-modules-js.html
 */
import { toFilterExpression, type DynamoDBExpression } from './dynamodb-filter-expression.js';
import { operations, toAttributeValue, toUpdateExpression } from './dynamodb-operations.js';
import { dynamodbUtil, type AttributeValue } from './util-dynamodb.js';
import { isPlainObject } from './values.js';

type Input = Record<string, unknown>;
type Key = Record<string, AttributeValue>;

const toKey = (key: unknown): Key => dynamodbUtil.toMapValues(isPlainObject(key) ? key : {}) ?? {};

/** A filter or condition object as an expression; a malformed one fails the handler. */
function expressionOf(filter: unknown, what: string): DynamoDBExpression | undefined {
  if (filter === undefined || filter === null) return undefined;
  const expression = toFilterExpression(filter);
  if (expression === null) throw new TypeError(`Invalid ${what}: ${JSON.stringify(filter)}`);
  return expression;
}

function projectionOf(fields: unknown): { expression: string; expressionNames: Record<string, string> } | undefined {
  if (!Array.isArray(fields) || fields.length === 0) return undefined;
  const expressionNames: Record<string, string> = {};
  const paths = fields.map((field) =>
    String(field)
      .split('.')
      .map((part) => {
        expressionNames[`#${part}`] = part;
        return `#${part}`;
      })
      .join('.'),
  );
  return { expression: paths.join(', '), expressionNames };
}

/** Drops members that are undefined or null, so requests carry only what was asked for. */
function compact<T extends Record<string, unknown>>(request: T): T {
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/** Renders a key condition (`eq`, `lt`, `le`, `gt`, `ge`, `between`, `beginsWith`) for `query`. */
function keyConditionOf(query: unknown): DynamoDBExpression {
  const out: DynamoDBExpression = { expression: '', expressionNames: {}, expressionValues: {} };
  const clauses: string[] = [];
  const comparisons: Record<string, string> = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' };
  for (const [field, operators] of Object.entries(isPlainObject(query) ? query : {})) {
    const name = `#${field}`;
    out.expressionNames[name] = field;
    for (const [operator, value] of Object.entries(isPlainObject(operators) ? operators : {})) {
      const valueName = (suffix: string, v: unknown) => {
        const placeholder = `:${field}_${suffix}`;
        out.expressionValues[placeholder] = toAttributeValue(v);
        return placeholder;
      };
      const comparison = comparisons[operator];
      if (comparison) clauses.push(`${name} ${comparison} ${valueName(operator, value)}`);
      else if (operator === 'beginsWith') clauses.push(`begins_with(${name}, ${valueName(operator, value)})`);
      else if (operator === 'between' && Array.isArray(value) && value.length >= 2) {
        clauses.push(`${name} BETWEEN ${valueName('between_start', value[0])} AND ${valueName('between_end', value[1])}`);
      } else throw new TypeError(`Invalid key condition operator '${operator}' on ${field}`);
    }
  }
  out.expression = clauses.join(' AND ');
  return out;
}

function writeOptions(input: Input) {
  return {
    condition: expressionOf(input.condition, 'condition'),
    customPartitionKey: input.customPartitionKey,
    populateIndexFields: input.populateIndexFields,
    _version: input._version,
  };
}

function readOptions(input: Input) {
  return {
    index: input.index,
    nextToken: input.nextToken,
    limit: input.limit,
    consistentRead: input.consistentRead,
    filter: expressionOf(input.filter, 'filter'),
    projection: projectionOf(input.projection),
  };
}

/**
 * @example
 * ```ts
 * get({ key: { id: 'id' } }); // { operation: 'GetItem', key: { id: { S: 'id' } } }
 * ```
 */
export function get(input: Input) {
  return compact({
    operation: 'GetItem',
    key: toKey(input.key),
    consistentRead: input.consistentRead,
    projection: projectionOf(input.projection),
  });
}

/** `PutItem`: `key` and `item` become typed attribute maps, `condition` an expression. */
export function put(input: Input) {
  return compact({
    operation: 'PutItem',
    key: toKey(input.key),
    attributeValues: toKey(input.item),
    ...writeOptions(input),
  });
}

/** `DeleteItem`, optionally conditional. */
export function remove(input: Input) {
  return compact({ operation: 'DeleteItem', key: toKey(input.key), ...writeOptions(input) });
}

/** `UpdateItem`: the update object becomes an update expression (see dynamodb-operations.ts). */
export function update(input: Input) {
  return compact({
    operation: 'UpdateItem',
    key: toKey(input.key),
    update: toUpdateExpression(isPlainObject(input.update) ? input.update : {}),
    ...writeOptions(input),
  });
}

/** `Query`: `query` becomes the key condition, `filter` a filter expression. */
export function query(input: Input) {
  return compact({
    operation: 'Query',
    query: keyConditionOf(input.query),
    ...readOptions(input),
    scanIndexForward: input.scanIndexForward,
    select: input.select,
  });
}

/** `Scan`, with optional filter, projection and parallel segments. */
export function scan(input: Input) {
  return compact({
    operation: 'Scan',
    ...readOptions(input),
    totalSegments: input.totalSegments,
    segment: input.segment,
    select: input.select,
  });
}

/** `Sync` (Amplify DataStore delta sync). */
export function sync(input: Input) {
  return compact({
    operation: 'Sync',
    basePartitionKey: input.basePartitionKey,
    deltaIndexName: input.deltaIndexName,
    limit: input.limit,
    nextToken: input.nextToken,
    lastSync: input.lastSync,
    filter: expressionOf(input.filter, 'filter'),
  });
}

function tablesOf<T>(input: Input, map: (value: unknown) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(isPlainObject(input.tables) ? input.tables : {}).map(([table, v]) => [table, map(v)]));
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** `BatchGetItem`: keys per table. */
export function batchGet(input: Input) {
  return {
    operation: 'BatchGetItem',
    tables: tablesOf(input, (table) => {
      const t = isPlainObject(table) ? table : {};
      return compact({ keys: listOf(t.keys).map(toKey), consistentRead: t.consistentRead, projection: projectionOf(t.projection) });
    }),
  };
}

/** `BatchPutItem`: items per table. */
export function batchPut(input: Input) {
  return { operation: 'BatchPutItem', tables: tablesOf(input, (items) => listOf(items).map(toKey)) };
}

/** `BatchDeleteItem`: keys per table. */
export function batchDelete(input: Input) {
  return { operation: 'BatchDeleteItem', tables: tablesOf(input, (keys) => listOf(keys).map(toKey)) };
}

/** `TransactGetItems`. */
export function transactGet(input: Input) {
  return {
    operation: 'TransactGetItems',
    transactItems: listOf(input.items).map((item) => {
      const i = isPlainObject(item) ? item : {};
      return compact({ table: i.table, key: toKey(i.key), projection: projectionOf(i.projection) });
    }),
  };
}

const TRANSACT_WRITES: Record<string, string> = {
  putItem: 'PutItem',
  updateItem: 'UpdateItem',
  deleteItem: 'DeleteItem',
  conditionCheck: 'ConditionCheck',
};

/** `TransactWriteItems` from `putItem` / `updateItem` / `deleteItem` / `conditionCheck` items. */
export function transactWrite(input: Input) {
  return {
    operation: 'TransactWriteItems',
    transactItems: listOf(input.items).map((item) => {
      const [kind, body] = Object.entries(isPlainObject(item) ? item : {})[0] ?? [];
      const operation = kind === undefined ? undefined : TRANSACT_WRITES[kind];
      if (operation === undefined || !isPlainObject(body)) throw new TypeError(`Invalid transactWrite item: ${JSON.stringify(item)}`);
      return compact({
        table: body.table,
        operation,
        key: toKey(body.key),
        attributeValues: kind === 'putItem' ? toKey(body.item) : undefined,
        update: kind === 'updateItem' ? toUpdateExpression(isPlainObject(body.update) ? body.update : {}) : undefined,
        condition: expressionOf(body.condition, 'condition'),
      });
    }),
  };
}

/** Set attribute values (the module's own, non-null variants of `util.dynamodb.to*Set`). */
export const toStringSet = (values: string[]) => ({ SS: values });
export const toNumberSet = (values: number[]) => ({ NS: values });
export const toBinarySet = (values: string[]) => ({ BS: values });

export { operations };
