// util.transform, checked against the AppSync documentation example and the outputs that
// localstack/appsync-utils recorded from AWS (`__tests__/__snapshots__/transform.test.js.snap`
// and `transform-subscription.test.js.snap`). Expressions are compared verbatim.
import { beforeAll, describe, expect, it } from 'vitest';
import { sandboxUtil } from '../helpers/evaluate-resolver.js';

let callUtil: Awaited<ReturnType<typeof sandboxUtil>>;

beforeAll(async () => {
  callUtil = await sandboxUtil();
});

const filter = (input: unknown) => {
  const result = callUtil('transform.toDynamoDBFilterExpression', input);
  return typeof result === 'string' ? JSON.parse(result) : result;
};

describe('util.transform.toDynamoDBFilterExpression', () => {
  it('answers the documented JSON string', () => {
    // Doc: toDynamoDBFilterExpression({ "title":{ "contains":"Hello World" } })
    //   → { "expression" : "contains(#title, :title_contains)", "expressionNames" : { "#title" : "title" },
    //       "expressionValues" : { ":title_contains" : { "S" : "Hello World" } } }
    // AWS itself writes the call in parentheses and without the space (recorded), which the twin follows.
    // Act
    const result = callUtil('transform.toDynamoDBFilterExpression', { title: { contains: 'Hello World' } });

    // Assess
    expect(result).toBe(
      '{"expression":"(contains(#title,:title_contains))","expressionNames":{"#title":"title"},"expressionValues":{":title_contains":{"S":"Hello World"}}}',
    );
  });

  it.each([
    ['eq', { v: { eq: 'x' } }, '(#v = :v_eq)'],
    ['ne', { v: { ne: 'x' } }, '(#v <> :v_ne)'],
    ['lt', { v: { lt: 'x' } }, '(#v < :v_lt)'],
    ['le', { v: { le: 'x' } }, '(#v <= :v_le)'],
    ['gt', { v: { gt: 'x' } }, '(#v > :v_gt)'],
    ['ge', { v: { ge: 'x' } }, '(#v >= :v_ge)'],
    ['contains', { v: { contains: 'x' } }, '(contains(#v,:v_contains))'],
    ['notContains', { v: { notContains: 'x' } }, '(NOT contains(#v,:v_notContains))'],
    ['beginsWith', { v: { beginsWith: 'x' } }, '(begins_with(#v,:v_beginsWith))'],
    ['between', { v: { between: ['1', '9'] } }, '(#v BETWEEN :v_between_start AND :v_between_end)'],
    ['between ignoring a third bound', { v: { between: ['1', '9', '3'] } }, '(#v BETWEEN :v_between_start AND :v_between_end)'],
    ['in', { v: { in: ['a', 'b'] } }, '(#v IN (:v_in_0, :v_in_1))'],
    ['in with one value', { v: { in: ['a'] } }, '(#v IN (:v_in_0))'],
    ['attributeExists true', { v: { attributeExists: true } }, '(attribute_exists(#v))'],
    ['attributeExists false', { v: { attributeExists: false } }, '(attribute_not_exists(#v))'],
    ['size', { v: { size: { gt: 2 } } }, '(size(#v) > :v_size_gt)'],
    ['size with a range', { v: { size: { between: [1, 3] } } }, '(size(#v) BETWEEN :v_size_between_start AND :v_size_between_end)'],
    ['size with a function', { v: { size: { contains: 'x' } } }, '(contains(size(#v),:v_size_contains))'],
    ['size with attributeExists', { v: { size: { attributeExists: true } } }, '(attribute_exists(size(#v)))'],
    ['two comparisons on one size', { v: { size: { gt: 2, lt: 5 } } }, '((size(#v) > :v_size_gt) AND (size(#v) < :v_size_lt))'],
    ['a size nested in a size', { v: { size: { size: { gt: 1 } } } }, '(size(#v) > :v_size_size_gt)'],
    ['two top-level fields, unwrapped', { a: { eq: 1 }, b: { eq: 2 } }, '(#a = :a_eq) AND (#b = :b_eq)'],
    ['a field with two operators, wrapped', { v: { ge: 1, le: 5 } }, '((#v >= :v_ge) AND (#v <= :v_le))'],
    ['an and of one member, unwrapped', { and: [{ a: { eq: 1 } }] }, '(#a = :and_0_a_eq)'],
    ['an and of two members', { and: [{ a: { eq: 1 } }, { b: { eq: 2 } }] }, '((#a = :and_0_a_eq) AND (#b = :and_1_b_eq))'],
    ['an or of two members', { or: [{ a: { eq: 1 } }, { b: { eq: 2 } }] }, '((#a = :or_0_a_eq) OR (#b = :or_1_b_eq))'],
    ['not of a comparison', { not: { a: { eq: 1 } } }, '(NOT (#a = :not_a_eq))'],
    ['not of a group', { not: { and: [{ a: { eq: 1 } }, { b: { eq: 2 } }] } }, '(NOT ((#a = :not_and_0_a_eq) AND (#b = :not_and_1_b_eq)))'],
    ['not of a not', { not: { not: { a: { eq: 1 } } } }, '(NOT (NOT (#a = :not_not_a_eq)))'],
    ['not inside an and', { and: [{ not: { a: { eq: 1 } } }, { b: { eq: 2 } }] }, '((NOT (#a = :and_0_not_a_eq)) AND (#b = :and_1_b_eq))'],
    [
      'an and inside an or',
      { or: [{ and: [{ a: { eq: 1 } }, { b: { eq: 2 } }] }, { c: { eq: 3 } }] },
      '(((#a = :or_0_and_0_a_eq) AND (#b = :or_0_and_1_b_eq)) OR (#c = :or_1_c_eq))',
    ],
    ['value names carrying every level', { and: [{ or: [{ and: [{ a: { eq: 1 } }] }] }] }, '(#a = :and_0_or_0_and_0_a_eq)'],
    ['a field beside a group', { a: { eq: 1 }, and: [{ b: { eq: 2 } }] }, '(#a = :a_eq) AND (#b = :and_0_b_eq)'],
    ['a dotted field name, verbatim', { 'a.b': { eq: 1 } }, '(#a.b = :a.b_eq)'],
    ['an empty filter', {}, ''],
    ['an empty group', { and: [] }, ''],
    ['a field without operators', { v: {} }, ''],
    ['not of an empty filter', { not: {} }, '(NOT )'],
    ['an empty list of values', { v: { in: [] } }, '(null)'],
    ['an empty field beside a comparison (dangling joiner)', { a: { eq: 1 }, b: {} }, '(#a = :a_eq) AND '],
    ['an empty member of a group (dangling joiner)', { and: [{ a: { eq: 1 } }, {}] }, '((#a = :and_0_a_eq) AND )'],
  ])('renders %s as AWS does', (_name, input, expression) => {
    // Act
    const result = filter(input);

    // Assess
    expect(result.expression).toBe(expression);
  });

  it('names its values and types operands as toDynamoDB does', () => {
    // Act
    const result = filter({ a: { eq: 10 }, b: { eq: 1.5 }, c: { eq: true }, d: { eq: null }, e: { eq: { x: 1 } }, f: { eq: [1, 2] }, g: { between: [1, 9] } });

    // Assess
    expect(result.expressionNames).toEqual({ '#a': 'a', '#b': 'b', '#c': 'c', '#d': 'd', '#e': 'e', '#f': 'f', '#g': 'g' });
    expect(result.expressionValues).toEqual({
      ':a_eq': { N: 10 },
      ':b_eq': { N: 1.5 },
      ':c_eq': { BOOL: true },
      ':d_eq': { NULL: null },
      ':e_eq': { M: { x: { N: 1 } } },
      ':f_eq': { L: [{ N: 1 }, { N: 2 }] },
      ':g_between_start': { N: 1 },
      ':g_between_end': { N: 9 },
    });
  });

  it('keeps the name of a field that renders nothing, as AWS does', () => {
    // Act
    const result = filter({ v: { size: {} } });

    // Assess
    expect(result).toEqual({ expression: '', expressionNames: { '#v': 'v' }, expressionValues: {} });
  });

  it('turns every friendly attribute type name into its DynamoDB type code', () => {
    // Prepare
    const names = ['_null', 'string', 'stringSet', 'number', 'numberSet', 'binary', 'binarySet', 'boolean', 'list', 'map'];
    const codes = ['NULL', 'S', 'SS', 'N', 'NS', 'B', 'BS', 'BOOL', 'L', 'M'];

    // Act
    const result = filter(Object.fromEntries(names.map((name, i) => [`f${i}`, { attributeType: name }])));

    // Assess
    expect(result.expression).toBe(names.map((_, i) => `(attribute_type(#f${i},:f${i}_attributeType))`).join(' AND '));
    expect(Object.values(result.expressionValues)).toEqual(codes.map((code) => ({ S: code })));
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'string'],
    ['an unknown operator', { v: { foo: 1 } }],
    ['a field holding a value instead of operators', { v: 'x' }],
    ['a field nested in a field', { a: { b: { eq: 1 } } }],
    ['an and given a map', { and: { a: { eq: 1 } } }],
    ['an and given null', { and: null }],
    ['a group holding null', { and: [{ a: { eq: 1 } }, null] }],
    ['a not given a list', { not: [{ a: { eq: 1 } }] }],
    ['a range with one bound', { v: { between: [1] } }],
    ['a range that is not a list', { v: { between: 'x' } }],
    ['an in that is not a list', { v: { in: 'x' } }],
    ['attributeExists given a string', { v: { attributeExists: 'yes' } }],
    ['attributeType given a type code', { v: { attributeType: 'S' } }],
    ['attributeType given an unknown name', { v: { attributeType: 'bogus' } }],
    ['size given a value', { v: { size: 3 } }],
  ])('answers null for %s, as AWS does', (_name, input) => {
    // Act
    const result = callUtil('transform.toDynamoDBFilterExpression', input);

    // Assess
    expect(result).toBeNull();
  });

  it('toDynamoDBConditionExpression renders the same way (Amplify create guard)', () => {
    // Recorded: toDynamoDBConditionExpression({ and: [{ id: { attributeExists: false } }] })
    //   → "{"expression":"(attribute_not_exists(#id))","expressionNames":{"#id":"id"},"expressionValues":{}}"
    // Act
    const result = callUtil('transform.toDynamoDBConditionExpression', { and: [{ id: { attributeExists: false } }] });

    // Assess
    expect(result).toBe('{"expression":"(attribute_not_exists(#id))","expressionNames":{"#id":"id"},"expressionValues":{}}');
  });
});

describe('util.transform.toSubscriptionFilter', () => {
  const group = (...filters: [string, string, unknown][]) => ({
    filters: filters.map(([fieldName, operator, value]) => ({ fieldName, operator, value })),
  });

  it.each([
    ['one operator on one field', [{ a: { eq: 1 } }], [group(['a', 'eq', 1])]],
    ['two fields, one group', [{ a: { eq: 1 }, b: { eq: 2 } }], [group(['a', 'eq', 1], ['b', 'eq', 2])]],
    ['an and', [{ and: [{ a: { eq: 1 } }, { b: { eq: 2 } }] }], [group(['a', 'eq', 1], ['b', 'eq', 2])]],
    ['a field beside an and, in key order', [{ z: { eq: 0 }, and: [{ a: { eq: 1 } }] }], [group(['z', 'eq', 0], ['a', 'eq', 1])]],
    ['a field path as written', [{ 'loc.addr.country': { eq: 'USA' } }], [group(['loc.addr.country', 'eq', 'USA'])]],
    ['two operators on one field, as alternatives', [{ a: { eq: 1, ne: 2 } }], [group(['a', 'eq', 1]), group(['a', 'ne', 2])]],
    ['an or, a group per member', [{ or: [{ a: { eq: 1 } }, { b: { eq: 2 } }] }], [group(['a', 'eq', 1]), group(['b', 'eq', 2])]],
    [
      'an or nested in an and',
      [{ and: [{ a: { eq: 1 } }, { or: [{ b: { eq: 2 } }, { c: { eq: 3 } }] }] }],
      [group(['a', 'eq', 1], ['b', 'eq', 2]), group(['a', 'eq', 1], ['c', 'eq', 3])],
    ],
    ['not as an ordinary field name', [{ not: { a: { eq: 1 } } }], [group(['not', 'a', { eq: 1 }])]],
    ['an unknown operator, passed through', [{ a: { bogus: 1 } }], [group(['a', 'bogus', 1])]],
    ['containsAny', [{ a: { containsAny: ['x', 'y'] } }], [group(['a', 'containsAny', ['x', 'y']])]],
    ['an ignored field', [{ a: { eq: 1 }, b: { eq: 2 } }, ['a']], [group(['b', 'eq', 2])]],
    ['an ignored field inside an and', [{ a: { eq: 1 }, and: [{ b: { eq: 2 } }] }, ['b']], [group(['a', 'eq', 1])]],
    [
      'rules as alternatives added to every group',
      [{ a: { eq: 1 } }, [], { r1: { gte: 250 }, r2: { eq: 'p' } }],
      [group(['a', 'eq', 1], ['r1', 'gte', 250]), group(['a', 'eq', 1], ['r2', 'eq', 'p'])],
    ],
    ['rules on their own', [{}, [], { r1: { eq: 1 } }], [group(['r1', 'eq', 1])]],
    ['an empty filter', [{}], []],
    ['a field with no operator', [{ a: {} }], []],
    ['an empty and', [{ and: [] }], []],
  ])('handles %s as AWS does', (_name, args, filterGroup) => {
    // Act
    const result = callUtil('transform.toSubscriptionFilter', ...args);

    // Assess
    expect(result).toEqual({ filterGroup });
  });

  it('multiplies operators, groups and alternatives out in order (recorded example)', () => {
    // Act
    const result = callUtil('transform.toSubscriptionFilter', {
      percentageUp: { lte: 50, gte: 20 },
      and: [{ title: { ne: 'Book1' } }, { downvotes: { gt: 2000 } }],
      or: [{ author: { eq: 'Admin' } }, { isPublished: { eq: false } }],
    }) as { filterGroup: { filters: { fieldName: string; operator: string }[] }[] };

    // Assess
    expect(result.filterGroup.map((g) => g.filters.map((f) => `${f.fieldName} ${f.operator}`).join(', '))).toEqual([
      'percentageUp lte, title ne, downvotes gt, author eq',
      'percentageUp lte, title ne, downvotes gt, isPublished eq',
      'percentageUp gte, title ne, downvotes gt, author eq',
      'percentageUp gte, title ne, downvotes gt, isPublished eq',
    ]);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a JSON string', '{"a":{"eq":1}}'],
  ])('answers null for %s', (_name, input) => {
    // Act
    const result = callUtil('transform.toSubscriptionFilter', input);

    // Assess
    expect(result).toBeNull();
  });
});
