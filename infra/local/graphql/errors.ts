import { GraphQLError, type SourceLocation } from 'graphql';
import type { AppSyncJsError } from '../../appsync-js/types.js';

/**
 * One entry of `errors[]` in the shape AppSync returns.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/troubleshooting-and-common-mistakes.html
 */
export interface AppSyncErrorEntry {
  path: readonly (string | number)[] | null;
  data?: unknown;
  errorType: string | null;
  errorInfo?: unknown;
  locations: { line: number; column: number; sourceName: null }[] | null;
  message: string;
}

/** The `errorType` values the GraphQL twin itself emits (resolvers add their own). */
export const GRAPHQL_ERROR_TYPES = {
  /** The document or its variables do not fit the schema; nothing ran. */
  VALIDATION: 'ValidationError',
  /** The document is not GraphQL. */
  SYNTAX: 'InvalidSyntax',
  /** A field the caller's auth mode or groups may not read. */
  UNAUTHORIZED: 'Unauthorized',
  /**
   * A resolver or data source ran past the request time limit; AppSync prefixes it with the
   * type of the data source that was running (`Lambda:ExecutionTimeoutException`), see
   * {@link timeoutErrorType}.
   */
  TIMEOUT: 'ExecutionTimeoutException',
  /** A request body that is not JSON or has no query. */
  MALFORMED: 'MalformedHttpRequestException',
  /** A request body over the size limit. */
  TOO_LARGE: 'PayloadTooLargeException',
} as const;

/** AppSync's prefix of a data source type in error types (`Lambda:Unhandled`, `DynamoDB:…`). */
const DATA_SOURCE_PREFIX: Readonly<Record<string, string>> = { AWS_LAMBDA: 'Lambda', AMAZON_DYNAMODB: 'DynamoDB', HTTP: 'Http' };

/**
 * The `errorType` of a request that ran out of time while `dataSourceType` was being called:
 * `Lambda:ExecutionTimeoutException`, or the bare name outside a data source call.
 */
export function timeoutErrorType(dataSourceType: string | undefined): string {
  const prefix = dataSourceType ? DATA_SOURCE_PREFIX[dataSourceType] : undefined;
  return prefix ? `${prefix}:${GRAPHQL_ERROR_TYPES.TIMEOUT}` : GRAPHQL_ERROR_TYPES.TIMEOUT;
}

/** A field error carrying AppSync's `errorType`, `data` and `errorInfo` through graphql-js. */
export class AppSyncFieldError extends GraphQLError {
  constructor(error: AppSyncJsError) {
    super(error.message, {
      extensions: { errorType: error.errorType ?? null, data: error.data ?? null, errorInfo: error.errorInfo ?? null },
    });
    this.name = 'AppSyncFieldError';
  }
}

function locationsOf(locations: readonly SourceLocation[] | undefined): AppSyncErrorEntry['locations'] {
  return locations ? locations.map(({ line, column }) => ({ line, column, sourceName: null })) : null;
}

/** Formats an execution error: a resolver's `util.error`, an auth denial, or graphql-js's own. */
export function formatExecutionError(error: GraphQLError): AppSyncErrorEntry {
  const ext = error.extensions ?? {};
  return {
    path: error.path ?? null,
    data: ext.data ?? null,
    errorType: typeof ext.errorType === 'string' ? ext.errorType : null,
    errorInfo: ext.errorInfo ?? null,
    locations: locationsOf(error.locations),
    message: error.message,
  };
}

/** An error recorded with `util.appendError`: the field keeps its value. */
export function formatAppendedError(error: AppSyncJsError, path: readonly (string | number)[], locations?: readonly SourceLocation[]): AppSyncErrorEntry {
  return {
    path,
    data: error.data ?? null,
    errorType: error.errorType ?? null,
    errorInfo: error.errorInfo ?? null,
    locations: locationsOf(locations),
    message: error.message,
  };
}

/** graphql-js message patterns and the graphql-java validation kinds AppSync names them by. */
const VALIDATION_KINDS: [RegExp, string][] = [
  [/^Cannot query field/, 'FieldUndefined'],
  [/^Unknown argument/, 'UnknownArgument'],
  [/argument .* is required, but it was not provided/, 'MissingFieldArgument'],
  [/^Unknown type/, 'UnknownType'],
  [/^Unknown directive/, 'UnknownDirective'],
  [/is never used/, 'UnusedVariable'],
  [/is not defined/, 'UndefinedVariable'],
  [/must have a selection of subfields/, 'SubSelectionRequired'],
  [/must not have a selection/, 'SubSelectionNotAllowed'],
  [/cannot represent|Expected value of type|was not provided|is not defined by type|Invalid AWS/, 'WrongType'],
];

/**
 * Formats a validation failure (the document, or a variable that does not coerce) as
 * AppSync does: `Validation error of type <Kind>: …`, no path, `errorType: ValidationError`.
 */
export function formatValidationError(error: GraphQLError): AppSyncErrorEntry {
  const kind = VALIDATION_KINDS.find(([re]) => re.test(error.message))?.[1] ?? 'ValidationError';
  return {
    path: null,
    errorType: GRAPHQL_ERROR_TYPES.VALIDATION,
    locations: locationsOf(error.locations),
    message: `Validation error of type ${kind}: ${error.message}`,
  };
}

/** Formats a syntax error as AppSync does (`Invalid Syntax : …`). */
export function formatSyntaxError(error: GraphQLError): AppSyncErrorEntry {
  return {
    path: null,
    errorType: GRAPHQL_ERROR_TYPES.SYNTAX,
    locations: locationsOf(error.locations),
    message: `Invalid Syntax : ${error.message.replace(/^Syntax Error: /, '')}`,
  };
}

/** A request-level error (bad body, auth failure), as AppSync's `{ errors: [{ errorType, message }] }`. */
export function requestError(errorType: string, message: string): { errors: { errorType: string; message: string }[] } {
  return { errors: [{ errorType, message }] };
}
