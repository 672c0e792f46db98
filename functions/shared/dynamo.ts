import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export { tableNameFromEnv as tableName } from './table-names.js';

/**
 * The functions' DynamoDB document client. On the twin, SLUICE_DYNAMODB_ENDPOINT points
 * it at DynamoDB Local; in the cloud it is unset and the SDK's defaults apply.
 */
export function documentClient(): DynamoDBDocumentClient {
  const endpoint = process.env.SLUICE_DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient(endpoint ? { endpoint } : {});
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
