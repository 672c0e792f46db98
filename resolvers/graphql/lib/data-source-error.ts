import { util } from '@aws-appsync/utils';
import { ErrorCode } from '../../../schema/stream-protocol.js';

/** A data source's failure as AppSync hands it to a response function. */
export interface DataSourceError {
  message: string;
  type: string;
}

/** The error model's code for a data source failure type (`DynamoDB:…`, `Lambda:…`). */
export function dataSourceErrorCode(type: string): string {
  const name = type.slice(type.indexOf(':') + 1);
  if (name === 'ValidationException') return ErrorCode.VALIDATION;
  if (name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException' || name === 'RequestLimitExceeded' || name === 'TooManyRequestsException') {
    return ErrorCode.THROTTLED;
  }
  if (name === 'ExecutionTimeoutException' || name === 'ExecutionTimeout' || name === 'Timeout') return ErrorCode.TIMEOUT;
  if (name === 'InternalServerError' || name === 'ServiceUnavailable' || name === 'ServiceUnavailableException') return ErrorCode.SERVICE_UNAVAILABLE;
  return ErrorCode.INTERNAL;
}

/**
 * Raises a data source's failure with the error model's code: bad input the data source
 * refused (a garbage `nextToken`) is the caller's `ValidationError`; throttling, timeouts
 * and an unavailable service are the dependency's (retryable); anything else is ours,
 * `InternalFailure`, logged with a correlation id the message shows instead of internals.
 *
 * @example
 * if (ctx.error) raiseDataSourceError(ctx.error);
 */
export function raiseDataSourceError(error: DataSourceError): void {
  const code = dataSourceErrorCode(error.type);
  if (code === ErrorCode.INTERNAL) {
    const correlationId = util.autoId();
    console.error(`data source failure ${correlationId}: ${error.type}: ${error.message}`);
    util.error(`Internal failure; quote correlation id ${correlationId} when reporting it.`, code, null, { correlationId, retryable: false });
  }
  // A dependency's failure is an operator's concern too: the resolver log says which.
  if (code !== ErrorCode.VALIDATION) console.error(`data source failure: ${error.type}: ${error.message}`);
  util.error(error.message, code, null, { retryable: code !== ErrorCode.VALIDATION });
}
