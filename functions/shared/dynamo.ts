import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pooledRequestHandler } from './http-pool.js';
import { boundedByInvocationDeadline } from './sdk-deadline.js';

export { tableNameFromEnv as tableName } from './table-names.js';

/**
 * A DynamoDB document client as the functions use it (undefined attributes dropped). By
 * default on SLUICE_DYNAMODB_ENDPOINT, which the twin sets to DynamoDB Local; in the
 * cloud it is unset and the SDK's defaults apply.
 * @example
 * const db = documentClient();
 */
export function documentClient(
  client: DynamoDBClient = new DynamoDBClient({ requestHandler: pooledRequestHandler(), ...(process.env.SLUICE_DYNAMODB_ENDPOINT ? { endpoint: process.env.SLUICE_DYNAMODB_ENDPOINT } : {}) }),
): DynamoDBDocumentClient {
  // Its own retries stop when the invocation's remaining time cannot fit another (./sdk-deadline.ts).
  return DynamoDBDocumentClient.from(boundedByInvocationDeadline(client), { marshallOptions: { removeUndefinedValues: true } });
}
