import { LambdaFunctionError } from '../lambda.js';
import { isRecord, type AppSyncLambdaEvent, type DataSourceContext, type DataSourceOutcome } from './types.js';

/** The request object of a Lambda data source (`@aws-appsync/utils` LambdaRequest). */
interface LambdaRequest {
  operation: 'Invoke';
  invocationType: 'RequestResponse' | 'Event';
  payload: unknown;
}

function parseRequest(request: unknown, defaultEvent: AppSyncLambdaEvent): LambdaRequest | string {
  if (!isRecord(request)) return 'The Lambda request object must be an object.';
  if (request.operation !== 'Invoke') {
    return request.operation === 'BatchInvoke'
      ? 'BatchInvoke is not supported by the local twin.'
      : `Unsupported Lambda operation: ${String(request.operation)}`;
  }
  const invocationType = request.invocationType ?? 'RequestResponse';
  if (invocationType !== 'RequestResponse' && invocationType !== 'Event') {
    return `Unsupported invocationType: ${String(invocationType)}`;
  }
  // Without a payload AppSync sends the resolver's whole context as the event.
  return { operation: 'Invoke', invocationType, payload: 'payload' in request ? request.payload : defaultEvent };
}

/**
 * Invokes a manifest function the way an AppSync Lambda data source does:
 * `RequestResponse` waits for the handler and gives its result; `Event` queues it (with
 * Lambda's retries) and gives `null`. A function error becomes `ctx.error` with type
 * `Lambda:Unhandled` (or `Lambda:<ErrorCode>` when the function cannot run at all).
 *
 * @example
 * ```ts
 * const outcome = await invokeLambda(context, 'chatTurn', { operation: 'Invoke', invocationType: 'Event', payload }, event);
 * ```
 */
export async function invokeLambda(
  context: Pick<DataSourceContext, 'lambda'>,
  functionName: string,
  request: unknown,
  defaultEvent: AppSyncLambdaEvent,
): Promise<DataSourceOutcome> {
  const parsed = parseRequest(request, defaultEvent);
  if (typeof parsed === 'string') return { result: null, error: { type: 'MappingTemplate', message: parsed } };
  try {
    if (parsed.invocationType === 'Event') {
      context.lambda.invokeAsync(functionName, parsed.payload);
      return { result: null };
    }
    const result = await context.lambda.invoke(functionName, parsed.payload);
    return { result: result ?? null };
  } catch (error) {
    const failure = error instanceof LambdaFunctionError ? error : new LambdaFunctionError(functionName, 'Error', String(error));
    const type = failure.errorType === 'ResourceNotFoundException' ? 'Lambda:ResourceNotFoundException' : 'Lambda:Unhandled';
    return { result: null, error: { type, message: failure.message } };
  }
}
