/**
 * Lambda's payload quotas, enforced on the twin with the errors Lambda answers, so a call
 * that works here cannot fail on AWS for its size.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
import { LambdaFunctionError } from './function-error.js';

/** Synchronous invocation: request and response, 6 MB each. */
export const MAX_SYNC_PAYLOAD_IN_BYTES = 6_291_456;
/** Asynchronous (Event) invocation: 1 MB since October 2025 (256 KB before). */
export const MAX_ASYNC_PAYLOAD_IN_BYTES = 1_048_576;

export function checkPayloadSize(functionName: string, json: string, limit: number, what: 'Invoke' | 'InvokeAsync' | 'response'): void {
  const bytes = Buffer.byteLength(json);
  if (bytes <= limit) return;
  if (what === 'response') {
    // Lambda counts the response limit with a little slack (6291556 bytes in its message).
    throw new LambdaFunctionError(functionName, 'Function.ResponseSizeTooLarge', `Response payload size exceeded maximum allowed payload size (${limit + 100} bytes).`);
  }
  const message =
    what === 'Invoke'
      ? `Request must be smaller than ${limit} bytes for the InvokeFunction operation`
      : `${bytes} byte payload is too large for the Event invocation type (limit ${limit} bytes)`;
  throw new LambdaFunctionError(functionName, 'RequestEntityTooLargeException', message, { statusCode: 413 });
}
