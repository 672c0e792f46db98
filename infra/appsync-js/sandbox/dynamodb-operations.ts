/**
 * `operations` of `@aws-appsync/utils/dynamodb` and the update expression they render to.
 * The request shape follows the module's type declarations; the exact expression strings AWS
 * produces are not recorded anywhere the twin could check, so these are the twin's own (valid
 * DynamoDB) rendering.
 */
import type { DynamoDBExpression } from './dynamodb-filter-expression.js';
import { toDynamoDB, type AttributeValue } from './util-dynamodb.js';
import { isPlainObject } from './values.js';

export type Operation =
  | { _type: 'add'; payload: unknown }
  | { _type: 'remove' }
  | { _type: 'replace'; payload: unknown }
  | { _type: 'increment'; by: number }
  | { _type: 'decrement'; by: number }
  | { _type: 'append'; payload: unknown[] }
  | { _type: 'prepend'; payload: unknown[] }
  | { _type: 'updateListItem'; payload: unknown; index: number };

/**
 * @example
 * ```ts
 * update({ key: { id }, update: { views: operations.increment(), tags: operations.append(['new']) } });
 * ```
 */
export const operations = {
  add: (payload: unknown): Operation => ({ _type: 'add', payload }),
  remove: (): Operation => ({ _type: 'remove' }),
  replace: (payload: unknown): Operation => ({ _type: 'replace', payload }),
  increment: (by = 1): Operation => ({ _type: 'increment', by }),
  decrement: (by = 1): Operation => ({ _type: 'decrement', by }),
  append: (payload: unknown[]): Operation => ({ _type: 'append', payload }),
  prepend: (payload: unknown[]): Operation => ({ _type: 'prepend', payload }),
  updateListItem: (payload: unknown, index: number): Operation => ({ _type: 'updateListItem', payload, index }),
};

const SET_TYPES = ['SS', 'NS', 'BS'];

/**
 * A value as an attribute value; a set made with `toStringSet`/`toNumberSet`/`toBinarySet` is
 * already one and passes through.
 */
export function toAttributeValue(value: unknown): AttributeValue {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && SET_TYPES.includes(keys[0] ?? '')) return value as AttributeValue;
  }
  return toDynamoDB(value) ?? { NULL: null };
}

function isOperation(value: unknown): value is Operation {
  return isPlainObject(value) && typeof value._type === 'string';
}

/**
 * Renders an update object: plain values SET, nested objects update their members, and each
 * operation its own clause (`ADD` for add/increment/decrement, `REMOVE`, `list_append`, `[i]`).
 * @example
 * ```ts
 * toUpdateExpression({ title: 'x', views: operations.increment(2) }).expression;
 * // 'SET #title = :title ADD #views :views'
 * ```
 */
export function toUpdateExpression(update: Record<string, unknown>): DynamoDBExpression {
  const out: DynamoDBExpression = { expression: '', expressionNames: {}, expressionValues: {} };
  const clauses = { SET: [] as string[], ADD: [] as string[], REMOVE: [] as string[] };
  const value = (name: string, v: unknown) => {
    out.expressionValues[name] = toAttributeValue(v);
    return name;
  };
  const walk = (object: Record<string, unknown>, path: string[], valuePath: string[]) => {
    for (const [field, v] of Object.entries(object)) {
      out.expressionNames[`#${field}`] = field;
      const target = [...path, `#${field}`].join('.');
      const valueName = `:${[...valuePath, field].join('_')}`;
      const listUpdates = Array.isArray(v) && v.length > 0 && v.every((item) => isOperation(item) && item._type === 'updateListItem');
      if (listUpdates) {
        for (const item of v as Extract<Operation, { _type: 'updateListItem' }>[]) {
          clauses.SET.push(`${target}[${item.index}] = ${value(`${valueName}_${item.index}`, item.payload)}`);
        }
      } else if (isOperation(v)) {
        renderOperation(v, target, valueName);
      } else if (isPlainObject(v)) {
        walk(v, [...path, `#${field}`], [...valuePath, field]);
      } else {
        clauses.SET.push(`${target} = ${value(valueName, v)}`);
      }
    }
  };
  const renderOperation = (operation: Operation, target: string, valueName: string) => {
    switch (operation._type) {
      case 'add':
        clauses.ADD.push(`${target} ${value(valueName, operation.payload)}`);
        break;
      case 'remove':
        clauses.REMOVE.push(target);
        break;
      case 'replace':
        clauses.SET.push(`${target} = ${value(valueName, operation.payload)}`);
        break;
      case 'increment':
      case 'decrement':
        clauses.ADD.push(`${target} ${value(valueName, operation._type === 'increment' ? operation.by : -operation.by)}`);
        break;
      case 'append':
        clauses.SET.push(`${target} = list_append(${target}, ${value(valueName, operation.payload)})`);
        break;
      case 'prepend':
        clauses.SET.push(`${target} = list_append(${value(valueName, operation.payload)}, ${target})`);
        break;
      case 'updateListItem':
        clauses.SET.push(`${target}[${operation.index}] = ${value(`${valueName}_${operation.index}`, operation.payload)}`);
        break;
    }
  };
  walk(update, [], []);
  out.expression = (Object.entries(clauses) as [string, string[]][])
    .filter(([, list]) => list.length > 0)
    .map(([action, list]) => `${action} ${list.join(', ')}`)
    .join(' ');
  return out;
}
