import type { DataSource, Table } from '../../gateway.js';
import type { TwinContext } from '../context.js';

/**
 * What a data source hands back to the resolver's `response` step, as AppSync does:
 * `ctx.result`, and `ctx.error` when the call failed (the response code decides whether
 * to raise it with `util.error(ctx.error.message, ctx.error.type)`).
 */
export interface DataSourceOutcome {
  result: unknown;
  error?: DataSourceError;
}

/** `ctx.error` after a failed data source call, e.g. `DynamoDB:ConditionalCheckFailedException`. */
export interface DataSourceError {
  message: string;
  type: string;
}

/**
 * The AppSync Lambda event for a request object without `payload`: the resolver's whole
 * context.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/resolver-reference-lambda-js.html
 */
export interface AppSyncLambdaEvent {
  arguments: Record<string, unknown>;
  identity: unknown;
  source: unknown;
  request: { headers: Record<string, string>; domainName: string | null };
  prev: { result: unknown } | null;
  info: {
    selectionSetList: string[];
    selectionSetGraphQL: string;
    parentTypeName: string;
    fieldName: string;
    variables: Record<string, unknown>;
  };
  stash: Record<string, unknown>;
}

/** The parts of the twin a data source uses. */
export type DataSourceContext = Pick<TwinContext, 'dynamodb' | 'lambda'> & {
  /** Manifest tables: logical names in requests map to physical ones. */
  tables: Pick<Table, 'name'>[];
};

/** One call of a data source: the request object the resolver returned, plus its context for Lambda. */
export interface DataSourceCall {
  dataSource: DataSource;
  request: unknown;
  /** The event a Lambda gets when the request carries no `payload`. */
  lambdaEvent: AppSyncLambdaEvent;
}

/** A data source that turns an AppSync request object into `ctx.result` / `ctx.error`. */
export type DataSourceHandler = (call: DataSourceCall) => Promise<DataSourceOutcome>;

/** Narrows an untrusted request object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
