/**
 * What a stopped twin left open. A twin killed mid-stream (SIGKILL, a crash, a laptop lid)
 * leaves turns whose function is gone: open reservations in the Budgets table and turns
 * recorded `streaming`. On start, before anything else can be running, the twin asks the
 * sweeper function to end them (functions/budget-sweeper/handler.ts), the cloud's own code
 * path. Most starts find nothing, and then no function is started for it.
 */
import { QueryCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OPEN_PARTITION, OPEN_RESERVATIONS_INDEX } from '../../functions/shared/ledger/tables.js';

/**
 * Whether the tables hold an open turn or a turn recorded as streaming.
 * @example
 * if (await hasOpenTurns(ddb, { budgets, requests })) await lambda.invoke('budgetSweeper', { source: TWIN_START_SOURCE });
 */
export async function hasOpenTurns(ddb: DynamoDBClient, tables: { budgets: string; requests: string }): Promise<boolean> {
  const [open, streaming] = await Promise.all([
    ddb.send(
      new QueryCommand({
        TableName: tables.budgets,
        IndexName: OPEN_RESERVATIONS_INDEX,
        KeyConditionExpression: 'openPartition = :open',
        ExpressionAttributeValues: { ':open': { S: OPEN_PARTITION } },
        Limit: 1,
      }),
    ),
    ddb.send(
      new ScanCommand({
        TableName: tables.requests,
        FilterExpression: '#status = :streaming',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':streaming': { S: 'streaming' } },
        ProjectionExpression: 'requestId',
      }),
    ),
  ]);
  return (open.Items?.length ?? 0) > 0 || (streaming.Items?.length ?? 0) > 0 || streaming.LastEvaluatedKey !== undefined;
}
