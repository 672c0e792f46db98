/**
 * Bounds an AWS SDK client's own retries (its `maxAttempts`) by the invocation's deadline
 * (./deadline.ts). A middleware inside the SDK's retry loop refuses a retry attempt
 * (`amz-sdk-request: attempt=2…`) once the remaining time less the headroom cannot fit it,
 * with a DeadlineExceeded error the SDK does not retry. First attempts always go out.
 */
import type { FinalizeRequestMiddleware, MiddlewareStack } from '@smithy/types';
import { DeadlineExceeded, workingTimeLeftMs } from './deadline.js';

/** What one more SDK attempt is expected to need at least. */
export const MIN_SDK_ATTEMPT_IN_MS = 250;

/** The retry attempt number the SDK's retry middleware stamped on the request, or 1. */
function attemptOf(request: unknown): number {
  const header = (request as { headers?: Record<string, string> } | undefined)?.headers?.['amz-sdk-request'];
  const match = /attempt=(\d+)/.exec(header ?? '');
  return match ? Number(match[1]) : 1;
}

const refuseRetriesPastDeadline: FinalizeRequestMiddleware<object, object> = (next) => async (args) => {
  if (attemptOf(args.request) > 1 && workingTimeLeftMs() < MIN_SDK_ATTEMPT_IN_MS) {
    throw new DeadlineExceeded('No retry: the invocation has too little time left to wait for another attempt.');
  }
  return next(args);
};

/** Middleware stacks that have the check already. */
const bounded = new WeakSet<object>();

/**
 * Adds the deadline check to an SDK client; returns the client.
 * @example
 * const bedrock = boundedByInvocationDeadline(new BedrockRuntimeClient({ maxAttempts: 4 }));
 */
export function boundedByInvocationDeadline<C extends { middlewareStack: object }>(client: C): C {
  // A client wrapped twice (several document clients over one DynamoDB client) checks once.
  if (bounded.has(client.middlewareStack)) return client;
  bounded.add(client.middlewareStack);
  (client.middlewareStack as MiddlewareStack<object, object>).add(refuseRetriesPastDeadline as never, { step: 'finalizeRequest', priority: 'low', name: 'sluiceInvocationDeadline' });
  return client;
}
