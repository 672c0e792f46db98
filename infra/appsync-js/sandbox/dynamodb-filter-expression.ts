/**
 * `util.transform.toDynamoDBFilterExpression` / `toDynamoDBConditionExpression`: a filter
 * object to a DynamoDB expression. Every spacing, parenthesis and value name below matches the
 * output localstack/appsync-utils recorded from AWS (`__tests__/transform.test.js`), including
 * its oddities: a field with no operator still names itself, an empty member leaves a dangling
 * `AND`, and `in: []` renders `(null)`.
 */
import { toDynamoDB, type AttributeValue } from './util-dynamodb.js';
import { isPlainObject } from './values.js';

export interface DynamoDBExpression {
  expression: string;
  expressionNames: Record<string, string>;
  expressionValues: Record<string, AttributeValue>;
}

const COMPARISONS: Record<string, string> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
const FUNCTIONS: Record<string, string> = { contains: 'contains', notContains: 'NOT contains', beginsWith: 'begins_with' };
const ATTRIBUTE_TYPES: Record<string, string> = {
  _null: 'NULL',
  string: 'S',
  stringSet: 'SS',
  number: 'N',
  numberSet: 'NS',
  binary: 'B',
  binarySet: 'BS',
  boolean: 'BOOL',
  list: 'L',
  map: 'M',
};

/** A filter AppSync cannot render; the public functions answer `null` for it, as AppSync does. */
class UnrenderableFilter extends Error {}

/**
 * Renders a filter object, or answers `null` when AppSync would (not an object, an unknown
 * operator, a malformed `and`/`or`/`not`/`between`/`in`/`attributeExists`/`attributeType`/`size`).
 * @example
 * ```ts
 * toFilterExpression({ title: { contains: 'Hello World' } });
 * // { expression: '(contains(#title,:title_contains))', expressionNames: { '#title': 'title' },
 * //   expressionValues: { ':title_contains': { S: 'Hello World' } } }
 * ```
 */
export function toFilterExpression(filter: unknown): DynamoDBExpression | null {
  const result: DynamoDBExpression = { expression: '', expressionNames: {}, expressionValues: {} };
  try {
    result.expression = renderFilter(filter, [], result);
  } catch (error) {
    if (error instanceof UnrenderableFilter) return null;
    throw error;
  }
  return result;
}

function renderFilter(filter: unknown, prefix: string[], out: DynamoDBExpression): string {
  if (!isPlainObject(filter)) throw new UnrenderableFilter();
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw new UnrenderableFilter();
      const members = value.map((member, index) => renderFilter(member, [...prefix, key, String(index)], out));
      const joined = members.join(key === 'and' ? ' AND ' : ' OR ');
      parts.push(members.length > 1 ? `(${joined})` : joined);
    } else if (key === 'not') {
      parts.push(`(NOT ${renderFilter(value, [...prefix, 'not'], out)})`);
    } else {
      parts.push(renderField(key, value, prefix, out));
    }
  }
  // Top-level fields are joined without parentheses; only groups and multi-operator fields get them.
  return parts.join(' AND ');
}

function renderField(field: string, operators: unknown, prefix: string[], out: DynamoDBExpression): string {
  if (!isPlainObject(operators)) throw new UnrenderableFilter();
  const name = `#${field}`;
  out.expressionNames[name] = field;
  return group(renderOperators(field, name, [...prefix, field].join('_'), operators, out));
}

function renderOperators(field: string, operand: string, base: string, operators: Record<string, unknown>, out: DynamoDBExpression): string[] {
  const setValue = (suffix: string, value: unknown) => {
    const name = `:${base}_${suffix}`;
    out.expressionValues[name] = toDynamoDB(value) ?? { NULL: null };
    return name;
  };
  return Object.entries(operators).map(([operator, value]) => {
    const comparison = COMPARISONS[operator];
    if (comparison) return `(${operand} ${comparison} ${setValue(operator, value)})`;
    const fn = FUNCTIONS[operator];
    if (fn) return `(${fn}(${operand},${setValue(operator, value)}))`;
    switch (operator) {
      case 'between':
        if (!Array.isArray(value) || value.length < 2) throw new UnrenderableFilter();
        return `(${operand} BETWEEN ${setValue('between_start', value[0])} AND ${setValue('between_end', value[1])})`;
      case 'in':
        if (!Array.isArray(value)) throw new UnrenderableFilter();
        if (value.length === 0) return '(null)';
        return `(${operand} IN (${value.map((member, index) => setValue(`in_${index}`, member)).join(', ')}))`;
      case 'attributeExists':
        if (typeof value !== 'boolean') throw new UnrenderableFilter();
        return `(${value ? 'attribute_exists' : 'attribute_not_exists'}(${operand}))`;
      case 'attributeType': {
        const code = typeof value === 'string' ? ATTRIBUTE_TYPES[value] : undefined;
        if (code === undefined) throw new UnrenderableFilter();
        return `(attribute_type(${operand},${setValue('attributeType', code)}))`;
      }
      case 'size':
        if (!isPlainObject(value)) throw new UnrenderableFilter();
        // A size nested in a size names its values again but does not nest the call.
        return group(renderOperators(field, `size(#${field})`, `${base}_size`, value, out));
      default:
        throw new UnrenderableFilter();
    }
  });
}

/** Several clauses on one field are AND-ed inside parentheses; one clause stands alone. */
function group(clauses: string[]): string {
  return clauses.length > 1 ? `(${clauses.join(' AND ')})` : (clauses[0] ?? '');
}
