import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { LOCAL_AWS_CREDENTIALS, LOCAL_REGION } from '../dynamodb.js';
import { batchGetItem, batchWrite, transactGetItems, transactWriteItems } from './dynamodb-batch.js';
import { deleteItem, getItem, putItem, query, scan, updateItem } from './dynamodb-items.js';
import { DynamoDbRequestError, InvalidNextTokenError } from './dynamodb-values.js';
import { isRecord, type DataSourceContext, type DataSourceOutcome } from './types.js';
import { pooledRequestHandler } from '../../../functions/shared/http-pool.js';
import { dependencyFailureCode, safeMessage } from '../../../functions/shared/failure.js';
import { ErrorCode } from '../../../schema/stream-protocol.js';

/** The operations the twin's DynamoDB data source runs, as AppSync names them. */
export const DYNAMODB_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchPutItem',
  'BatchDeleteItem',
  'TransactGetItems',
  'TransactWriteItems',
] as const;

/**
 * A DynamoDB data source bound to one table, run against DynamoDB Local.
 *
 * Request objects are the ones APPSYNC_JS resolvers return (`operation`, `key`,
 * `attributeValues`, `condition`, `query`, `filter`, … with AttributeValue JSON as
 * `util.dynamodb.*` makes it). Batch and transaction requests name their tables: a
 * manifest (logical) name maps to the twin's physical table; any other name is used as
 * given. `ctx.result` is plain JSON; a failed call sets `ctx.error.type` to
 * `DynamoDB:<Exception>` (e.g. `DynamoDB:ConditionalCheckFailedException`).
 *
 * @example
 * ```ts
 * const ds = createDynamoDbDataSource(context, 'requests');
 * const { result } = await ds.invoke({ operation: 'GetItem', key: { requestId: { S: 'r1' } } });
 * ds.close();
 * ```
 */
export function createDynamoDbDataSource(context: Pick<DataSourceContext, 'dynamodb' | 'tables'>, logicalTable: string) {
  const client = new DynamoDBClient({
    endpoint: context.dynamodb.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    requestHandler: pooledRequestHandler(),
  });
  const logicalNames = new Set(context.tables.map((t) => t.name));
  const resolveTable = (name: string) => (logicalNames.has(name) ? context.dynamodb.tableName(name) : name);
  const table = resolveTable(logicalTable);

  async function run(request: Record<string, unknown>): Promise<unknown> {
    switch (request.operation) {
      case 'GetItem':
        return getItem(client, table, request);
      case 'PutItem':
        return putItem(client, table, request);
      case 'UpdateItem':
        return updateItem(client, table, request);
      case 'DeleteItem':
        return deleteItem(client, table, request);
      case 'Query':
        return query(client, table, request);
      case 'Scan':
        return scan(client, table, request);
      case 'BatchGetItem':
        return batchGetItem(client, resolveTable, request);
      case 'BatchPutItem':
        return batchWrite(client, resolveTable, request, 'put');
      case 'BatchDeleteItem':
        return batchWrite(client, resolveTable, request, 'delete');
      case 'TransactGetItems':
        return transactGetItems(client, resolveTable, request);
      case 'TransactWriteItems':
        return transactWriteItems(client, resolveTable, request);
      default:
        throw new DynamoDbRequestError(`Unsupported operation '${String(request.operation)}'. Supported: ${DYNAMODB_OPERATIONS.join(', ')}`);
    }
  }

  return {
    table,
    async invoke(request: unknown): Promise<DataSourceOutcome> {
      try {
        if (!isRecord(request)) throw new DynamoDbRequestError('The DynamoDB request object must be an object');
        return { result: await run(request) };
      } catch (error) {
        return failure(error);
      }
    },
    close(): void {
      client.destroy();
    },
  };
}

export type DynamoDbDataSource = ReturnType<typeof createDynamoDbDataSource>;

function failure(error: unknown): DataSourceOutcome {
  if (error instanceof InvalidNextTokenError) return { result: null, error: { type: 'DynamoDB:ValidationException', message: error.message } };
  if (error instanceof DynamoDbRequestError) return { result: null, error: { type: 'MappingTemplate', message: error.message } };
  if (error instanceof TransactionCanceledException) {
    // AppSync fills ctx.result with the reasons, so the response code can tell which item failed.
    const cancellationReasons = (error.CancellationReasons ?? []).map((r) => ({ type: r.Code ?? 'None', message: r.Message ?? null }));
    return { result: { keys: null, cancellationReasons }, error: { type: 'DynamoDB:TransactionCanceledException', message: error.message } };
  }
  const err = error instanceof Error ? error : new Error(String(error));
  const answered = err.name && err.name !== 'Error';
  // No answer at all (connection refused or reset, a socket timeout): DynamoDB is
  // unreachable, a dependency's failure the caller may retry, not the gateway's bug.
  const unanswered = answered ? undefined : dependencyFailureCode(error);
  if (unanswered) {
    const type = unanswered === ErrorCode.TIMEOUT ? 'Timeout' : 'ServiceUnavailable';
    return { result: null, error: { type: `DynamoDB:${type}`, message: `DynamoDB is unreachable: ${safeMessage(err.message)}` } };
  }
  const type = answered ? err.name : 'InternalFailure';
  return { result: null, error: { type: `DynamoDB:${type}`, message: err.message } };
}
