/**
 * `util.dynamodb`: plain values to DynamoDB attribute values, as AppSync writes them.
 *
 * Numbers stay JSON numbers (`{ N: 1234 }`), not strings: that is what AppSync returns (its doc
 * example and the values localstack/appsync-utils recorded from AWS), and what the DynamoDB data
 * source accepts. `toNull()` is `{ NULL: null }` for the same reason.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/dynamodb-helpers-in-util-dynamodb-js.html
 */

export type AttributeValue =
  | { S: string }
  | { N: number }
  | { BOOL: boolean }
  | { NULL: null }
  | { B: string }
  | { SS: string[] }
  | { NS: number[] }
  | { BS: string[] }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

export interface S3Object {
  key: string;
  bucket: string;
  region: string;
  version?: string;
}

/**
 * Converts any JSON value. Lists stay lists (`L`), never sets; keys holding `undefined` are
 * dropped as JSON drops them.
 * @example
 * ```ts
 * toDynamoDB({ foo: 'bar', baz: 1234, beep: ['boop'] });
 * // { M: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } }
 * ```
 */
export function toDynamoDB(value: unknown): AttributeValue | null {
  if (value === undefined) return null;
  if (value === null) return { NULL: null };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      return { N: value };
    case 'boolean':
      return { BOOL: value };
    case 'object':
      return Array.isArray(value) ? { L: value.map(toListMember) } : { M: mapValues(value as Record<string, unknown>) };
    default:
      throw new TypeError(`util.dynamodb.toDynamoDB cannot convert a ${typeof value}`);
  }
}

// A list member that is undefined is null, as JSON.stringify writes it.
function toListMember(value: unknown): AttributeValue {
  return toDynamoDB(value) ?? { NULL: null };
}

function mapValues(map: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(map)) {
    const converted = toDynamoDB(value);
    if (converted !== null) out[key] = converted;
  }
  return out;
}

/** `util.dynamodb.*` as one object; every converter answers `null` for a null input. */
export const dynamodbUtil = {
  toDynamoDB,
  toString: (value: string | null | undefined) => (value == null ? null : { S: value }),
  toStringSet: (values: string[] | null | undefined) => (values == null ? null : { SS: values }),
  toNumber: (value: number | null | undefined) => (value == null ? null : { N: value }),
  toNumberSet: (values: number[] | null | undefined) => (values == null ? null : { NS: values }),
  toBinary: (value: string | null | undefined) => (value == null ? null : { B: value }),
  toBinarySet: (values: string[] | null | undefined) => (values == null ? null : { BS: values }),
  toBoolean: (value: boolean | null | undefined) => (value == null ? null : { BOOL: value }),
  toNull: () => ({ NULL: null }),
  toList: (values: unknown[] | null | undefined) => (values == null ? null : { L: values.map(toListMember) }),
  toMap: (map: Record<string, unknown> | null | undefined) => (map == null ? null : { M: mapValues(map) }),
  toMapValues: (map: Record<string, unknown> | null | undefined) => (map == null ? null : mapValues(map)),
  /**
   * The S3 object convention of AppSync: a string attribute holding `{"s3":{…}}`.
   * @example
   * ```ts
   * dynamodbUtil.toS3Object('foo', 'bar', 'baz'); // { S: '{"s3":{"key":"foo","bucket":"bar","region":"baz"}}' }
   * ```
   */
  toS3Object(key: string, bucket: string, region: string, version?: string) {
    const s3: S3Object = version === undefined ? { key, bucket, region } : { key, bucket, region, version };
    return { S: JSON.stringify({ s3 }) };
  },
  /** Reads the JSON `toS3Object` writes (or the attribute holding it) back into `{key, bucket, region, version?}`. */
  fromS3ObjectJson(s3ObjectString: string | { S: string }): S3Object {
    const text = typeof s3ObjectString === 'string' ? s3ObjectString : s3ObjectString.S;
    return (JSON.parse(text) as { s3: S3Object }).s3;
  },
};
