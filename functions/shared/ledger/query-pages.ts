/**
 * Every item a DynamoDB Query matches, page after page. The ledger's readers (reports,
 * usage totals, the audit trail, the sweeper) all walk their queries to the end this way.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type { LedgerDeps } from './tables.js';

/**
 * Yields the items of `input`'s query one by one, fetching the next page only when the
 * caller has taken every item of the last one — so a caller that stops early (a page
 * limit) reads no further, and one that writes per item (the sweeper) does so before the
 * next page is read.
 * @example
 * for await (const item of queryItems(deps, { TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } })) rows.push(item);
 */
export async function* queryItems(deps: Pick<LedgerDeps, 'db'>, input: QueryCommandInput): AsyncGenerator<Record<string, NativeAttributeValue>> {
  let ExclusiveStartKey = input.ExclusiveStartKey;
  do {
    const page = await deps.db.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    yield* page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
