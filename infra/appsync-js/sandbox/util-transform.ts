/**
 * `util.transform`. The DynamoDB transforms answer a JSON string (or `null` for a filter AppSync
 * cannot render); the subscription transform answers an object.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/transformation-helpers-in-utils-transform-js.html
 */
import { toFilterExpression } from './dynamodb-filter-expression.js';
import { toSubscriptionFilter } from './subscription-filter.js';
import { unsupported } from './unsupported.js';

/**
 * Both DynamoDB entry points render a filter the same way (AWS answers byte-identical output).
 * @example
 * ```ts
 * transformUtil.toDynamoDBFilterExpression({ title: { contains: 'Hello World' } });
 * // '{"expression":"(contains(#title,:title_contains))","expressionNames":{"#title":"title"},…}'
 * ```
 */
export const transformUtil = {
  toDynamoDBFilterExpression: (filter: unknown) => stringify(toFilterExpression(filter)),
  toDynamoDBConditionExpression: (condition: unknown) => stringify(toFilterExpression(condition)),
  toSubscriptionFilter,
  toElasticsearchQueryDSL: unsupported('util.transform.toElasticsearchQueryDSL'),
};

function stringify(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}
