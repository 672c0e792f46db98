// util.dynamodb, checked against the AppSync documentation and the values localstack/appsync-utils
// recorded from AWS (`__tests__/__snapshots__/index.test.js.snap`). AppSync keeps numbers as JSON
// numbers ({ N: 1234 }) and writes null as { NULL: null }.
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateResolver, sandboxUtil } from '../helpers/evaluate-resolver.js';

let callUtil: Awaited<ReturnType<typeof sandboxUtil>>;

beforeAll(async () => {
  callUtil = await sandboxUtil();
});

describe('util.dynamodb', () => {
  it.each([
    // Doc: util.dynamodb.toDynamoDB("foo") → { "S" : "foo" }
    ['a string', 'foo', { S: 'foo' }],
    // Recorded: util.dynamodb.toDynamoDB(12345) → { "N": 12345 }
    ['a number', 12345, { N: 12345 }],
    // Recorded: util.dynamodb.toDynamoDB(true) → { "BOOL": true }
    ['a boolean', true, { BOOL: true }],
    ['null', null, { NULL: null }],
    // Doc: toDynamoDB({ "foo": "bar", "baz" : 1234, "beep": [ "boop" ] })
    //   → { "M": { "foo": { "S": "bar" }, "baz": { "N": 1234 }, "beep": { "L": [{ "S": "boop" }] } } }
    [
      'an object, recursively, with lists as L (never sets)',
      { foo: 'bar', baz: 1234, beep: ['boop'] },
      { M: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } },
    ],
  ])('toDynamoDB converts %s', (_name, input, expected) => {
    // Act
    const result = callUtil('dynamodb.toDynamoDB', input);

    // Assess
    expect(result).toEqual(expected);
  });

  it('drops map keys holding undefined and writes undefined list members as NULL, as JSON does', async () => {
    // Act
    const { result } = await evaluateResolver('test/fixtures/appsync-js/dynamodb-undefined.ts', 'request');

    // Assess
    expect(result).toEqual({ map: { kept: { N: 1 } }, list: { L: [{ NULL: null }, { S: 'x' }] } });
  });

  it.each([
    // Recorded: toString("test") → { "S": "test" }
    ['toString', ['test'], { S: 'test' }],
    // Doc: toStringSet([ "foo", "bar", "baz" ]) → { "SS" : [ "foo", "bar", "baz" ] }
    ['toStringSet', [['foo', 'bar', 'baz']], { SS: ['foo', 'bar', 'baz'] }],
    // Doc: toNumber(12345) → { "N" : 12345 }
    ['toNumber', [12345], { N: 12345 }],
    // Doc: toNumberSet([ 1, 23, 4.56 ]) → { "NS" : [ 1, 23, 4.56 ] }
    ['toNumberSet', [[1, 23, 4.56]], { NS: [1, 23, 4.56] }],
    // Doc: toBinary("foo") → { "B" : "foo" }
    ['toBinary', ['foo'], { B: 'foo' }],
    // Doc: toBinarySet([ "foo", "bar", "baz" ]) → { "BS" : [ "foo", "bar", "baz" ] }
    ['toBinarySet', [['foo', 'bar', 'baz']], { BS: ['foo', 'bar', 'baz'] }],
    // Doc: toBoolean(true) → { "BOOL" : true }
    ['toBoolean', [true], { BOOL: true }],
    // Doc: toNull() → { "NULL" : null }
    ['toNull', [], { NULL: null }],
    // Doc: toList([ "foo", 123, { "bar" : "baz" } ]) → { "L": [ { "S": "foo" }, { "N": 123 }, { "M": { "bar": { "S": "baz" } } } ] }
    ['toList', [['foo', 123, { bar: 'baz' }]], { L: [{ S: 'foo' }, { N: 123 }, { M: { bar: { S: 'baz' } } }] }],
    // Doc: toMap({ "foo": "bar", "baz" : 1234, "beep": [ "boop"] })
    [
      'toMap',
      [{ foo: 'bar', baz: 1234, beep: ['boop'] }],
      { M: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } },
    ],
    // Doc: toMapValues(obj) is toMap(obj)["M"]
    ['toMapValues', [{ foo: 'bar', baz: 1234, beep: ['boop'] }], { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } }],
    // Recorded: toS3Object("foo", "bar", "baz") → { "S": "{"s3":{"key":"foo","bucket":"bar","region":"baz"}}" }
    ['toS3Object', ['foo', 'bar', 'baz'], { S: '{"s3":{"key":"foo","bucket":"bar","region":"baz"}}' }],
    // Recorded: toS3Object("foo", "bar", "baz", "beep") → { "S": "{"s3":{"key":"foo","bucket":"bar","region":"baz","version":"beep"}}" }
    ['toS3Object with a version', ['foo', 'bar', 'baz', 'beep'], { S: '{"s3":{"key":"foo","bucket":"bar","region":"baz","version":"beep"}}' }],
  ])('%s gives the documented attribute value', (name, args, expected) => {
    // Act
    const result = callUtil(`dynamodb.${name.split(' ')[0]}`, ...args);

    // Assess
    expect(result).toEqual(expected);
  });

  it.each(['toString', 'toStringSet', 'toNumber', 'toNumberSet', 'toBinary', 'toBinarySet', 'toBoolean', 'toList', 'toMap', 'toMapValues'])(
    '%s answers null for null',
    (name) => {
      // Act
      const result = callUtil(`dynamodb.${name}`, null);

      // Assess
      expect(result).toBeNull();
    },
  );

  it('fromS3ObjectJson reads back what toS3Object wrote', () => {
    // Prepare
    const attribute = callUtil('dynamodb.toS3Object', 'foo', 'bar', 'baz', 'beep') as { S: string };

    // Act
    const result = callUtil('dynamodb.fromS3ObjectJson', attribute.S);

    // Assess
    expect(result).toEqual({ key: 'foo', bucket: 'bar', region: 'baz', version: 'beep' });
  });
});
