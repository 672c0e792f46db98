import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The functions' DynamoDB document client. On the twin, SLUICE_DYNAMODB_ENDPOINT points
 * it at DynamoDB Local; in the cloud it is unset and the SDK's defaults apply.
 */
export function documentClient(): DynamoDBDocumentClient {
  const endpoint = process.env.SLUICE_DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient(endpoint ? { endpoint } : {});
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The physical name of a manifest table, from the `TABLE_<NAME>` variable both hosts set. */
export function tableName(logicalName: string): string {
  const key = `TABLE_${logicalName.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
  const value = process.env[key];
  if (!value) throw new Error(`${key} is not set: the host must pass the ${logicalName} table name`);
  return value;
}
