import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isRecord } from './types.js';

/** A request object is wrong: AppSync reports these before calling DynamoDB. */
export class DynamoDbRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DynamoDbRequestError';
  }
}

/** A `nextToken` this API never returned: DynamoDB's ValidationException, the caller's mistake. */
export class InvalidNextTokenError extends DynamoDbRequestError {
  constructor() {
    super('Invalid nextToken: pass a nextToken exactly as a previous page returned it.');
    this.name = 'InvalidNextTokenError';
  }
}

/** One key attribute as the twin's tokens hold it: `{ "S": "…" }`, `{ "N": "…" }` or `{ "B": … }`. */
function isKeyAttribute(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && ['S', 'N', 'B'].includes(keys[0]!) && (keys[0] === 'B' || typeof value[keys[0]!] === 'string');
}

/**
 * Turns an AttributeValue as APPSYNC_JS writes it (`util.dynamodb.toDynamoDB(3)` is
 * `{N: 3}`, binary is base64 text) into the SDK's shape (`{N: '3'}`, bytes).
 */
export function toSdkAttribute(value: unknown, where: string): AttributeValue {
  if (!isRecord(value)) throw new DynamoDbRequestError(`${where} is not a DynamoDB AttributeValue`);
  const [type, inner] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
      return { S: String(inner) };
    case 'N':
      return { N: String(inner) };
    case 'BOOL':
      return { BOOL: Boolean(inner) };
    case 'NULL':
      return { NULL: true };
    case 'B':
      return { B: Buffer.from(String(inner), 'base64') };
    case 'SS':
      return { SS: asList(inner, where).map(String) };
    case 'NS':
      return { NS: asList(inner, where).map(String) };
    case 'BS':
      return { BS: asList(inner, where).map((b) => Buffer.from(String(b), 'base64')) };
    case 'L':
      return { L: asList(inner, where).map((v, i) => toSdkAttribute(v, `${where}[${i}]`)) };
    case 'M':
      return { M: toSdkMap(inner, where) };
    default:
      throw new DynamoDbRequestError(`${where} has an unknown AttributeValue type: ${String(type)}`);
  }
}

function asList(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new DynamoDbRequestError(`${where} must hold a list`);
  return value;
}

/** {@link toSdkAttribute} over a map (a key, an item, `expressionValues`). */
export function toSdkMap(value: unknown, where: string): Record<string, AttributeValue> {
  if (!isRecord(value)) throw new DynamoDbRequestError(`${where} must be a map of AttributeValues`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toSdkAttribute(v, `${where}.${k}`)]));
}

/** Same as {@link toSdkMap} but undefined stays undefined. */
export function optionalSdkMap(value: unknown, where: string): Record<string, AttributeValue> | undefined {
  return value === undefined || value === null ? undefined : toSdkMap(value, where);
}

/** Converts what DynamoDB returned into the plain JSON AppSync puts in `ctx.result`: sets become lists, binary base64. */
export function toPlain(item: Record<string, AttributeValue> | undefined | null): Record<string, unknown> | null {
  if (!item) return null;
  return plainValue(unmarshall(item)) as Record<string, unknown>;
}

function plainValue(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(plainValue);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plainValue);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}

/** An expression part of a request (`condition`, `filter`, `query`, `update`, `projection`). */
export interface ExpressionPart {
  expression: string;
  expressionNames?: Record<string, string>;
  expressionValues?: Record<string, AttributeValue>;
}

/** Reads one expression object, or undefined when absent. */
export function readExpression(value: unknown, where: string): ExpressionPart | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || typeof value.expression !== 'string') {
    throw new DynamoDbRequestError(`${where}.expression must be a string`);
  }
  return {
    expression: value.expression,
    expressionNames: isRecord(value.expressionNames) ? (value.expressionNames as Record<string, string>) : undefined,
    expressionValues: optionalSdkMap(value.expressionValues, `${where}.expressionValues`),
  };
}

/** DynamoDB takes one names map and one values map per call; AppSync lets each expression bring its own. */
export function mergeExpressions(...parts: (ExpressionPart | undefined)[]): {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
} {
  const names = Object.assign({}, ...parts.map((p) => p?.expressionNames ?? {})) as Record<string, string>;
  const values = Object.assign({}, ...parts.map((p) => p?.expressionValues ?? {})) as Record<string, AttributeValue>;
  return {
    ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
    ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
  };
}

/** AppSync's `nextToken` is opaque; the twin's is the LastEvaluatedKey in base64url JSON. */
export function encodeNextToken(lastKey: Record<string, AttributeValue> | undefined): string | null {
  if (!lastKey) return null;
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

/** Reads a token from {@link encodeNextToken}; a token that is not one is a request error. */
export function decodeNextToken(token: unknown): Record<string, AttributeValue> | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    // A key has one to four attributes (table and index keys), each a plain key value.
    const values = isRecord(parsed) ? Object.values(parsed) : [];
    if (values.length >= 1 && values.length <= 4 && values.every(isKeyAttribute)) return parsed as Record<string, AttributeValue>;
  } catch {
    // fall through to the typed error below
  }
  throw new InvalidNextTokenError();
}
