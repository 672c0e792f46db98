import type { DirectLambdaHandler } from '../../gateway.js';
import type { TwinContext } from '../context.js';
import { LambdaFunctionError } from '../lambda.js';
import { EventsErrorType } from './constants.js';
import { EventsError } from './errors.js';
import { outgoingEvents, type HandlerContext, type PublishDecision, type SubscribeDecision } from './handler-context.js';

/** The Lambda invoker the handlers use: sync for REQUEST_RESPONSE, fire-and-forget for EVENT. */
export type HandlerLambda = Pick<TwinContext['lambda'], 'invoke' | 'invokeAsync'>;

/**
 * The event a direct Lambda handler receives: the handler `ctx` plus the Lambda-only
 * fields, `events: null` on SUBSCRIBE.
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/lambda-function-reference.html
 */
export function directLambdaEvent(ctx: HandlerContext): Record<string, unknown> {
  return { ...ctx, prev: null, outErrors: [], events: ctx.events ?? null };
}

/**
 * Runs `onPublish` as a direct Lambda integration. REQUEST_RESPONSE broadcasts the
 * `events` the function returns (none when it returns none; a top-level `error` is
 * only logged, as AppSync does); EVENT invokes asynchronously and broadcasts the
 * events unchanged. A function error whose type is `UnauthorizedException` (what
 * Powertools rethrows) is a 403 with that type, as Powertools documents AppSync answering
 * it; any other is a 403 carrying its message.
 *
 * @example
 * ```ts
 * const decision = await directPublish(context.lambda, { functionName: 'router', invokeType: 'REQUEST_RESPONSE' }, ctx, log);
 * ```
 */
export async function directPublish(
  lambda: HandlerLambda,
  config: DirectLambdaHandler,
  ctx: HandlerContext,
  log: (line: string) => void,
): Promise<PublishDecision> {
  const incoming = ctx.events ?? [];
  if (config.invokeType === 'EVENT') {
    const failure = invokeAsync(lambda, config.functionName, ctx);
    return failure ? { kind: 'error', error: failure } : { kind: 'broadcast', events: incoming.map(({ id, payload }) => ({ id, payload })) };
  }
  let response: unknown;
  try {
    response = await lambda.invoke(config.functionName, directLambdaEvent(ctx));
  } catch (error) {
    return { kind: 'error', error: functionError(error, EventsErrorType.UNAUTHORIZED) };
  }
  const body = (response ?? {}) as { events?: unknown; error?: unknown };
  if (body.error) log(`[events] ${config.functionName} onPublish error (not returned to the publisher): ${String(body.error)}`);
  const events = outgoingEvents(body.events, incoming);
  if (typeof events === 'string') return { kind: 'error', error: new EventsError(403, EventsErrorType.FORBIDDEN, `${config.functionName}: ${events}`) };
  return { kind: 'broadcast', events };
}

/**
 * Runs `onSubscribe` as a direct Lambda integration: a `null` response allows,
 * `{error}` denies; EVENT invokes asynchronously and allows.
 *
 * @example
 * ```ts
 * const decision = await directSubscribe(context.lambda, { functionName: 'guard', invokeType: 'REQUEST_RESPONSE' }, ctx);
 * ```
 */
export async function directSubscribe(lambda: HandlerLambda, config: DirectLambdaHandler, ctx: HandlerContext): Promise<SubscribeDecision> {
  if (config.invokeType === 'EVENT') {
    const failure = invokeAsync(lambda, config.functionName, ctx);
    return failure ? { kind: 'error', error: failure } : { kind: 'allow' };
  }
  let response: unknown;
  try {
    response = await lambda.invoke(config.functionName, directLambdaEvent(ctx));
  } catch (error) {
    return { kind: 'error', error: functionError(error, EventsErrorType.HANDLER_UNAUTHORIZED) };
  }
  const denial = (response as { error?: unknown } | null)?.error;
  if (denial === undefined || denial === null) return { kind: 'allow' };
  return { kind: 'error', error: new EventsError(403, EventsErrorType.SUBSCRIPTION_PROCESSING, String(denial)) };
}

function invokeAsync(lambda: HandlerLambda, functionName: string, ctx: HandlerContext): EventsError | undefined {
  try {
    lambda.invokeAsync(functionName, directLambdaEvent(ctx));
    return undefined;
  } catch (error) {
    // Only a missing function fails synchronously: a configuration error on our side.
    return new EventsError(500, EventsErrorType.INTERNAL, (error as Error).message, { cause: error });
  }
}

function functionError(error: unknown, unauthorizedType: string): EventsError {
  if (error instanceof LambdaFunctionError && error.errorType === 'UnauthorizedException') {
    // 403, not the 401 of a failed auth mode: the caller was authenticated, the handler refused it.
    return new EventsError(403, unauthorizedType, error.message || 'You are not authorized to make this call.', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const type = error instanceof LambdaFunctionError ? error.errorType : 'Error';
  return new EventsError(403, EventsErrorType.FORBIDDEN, `Lambda function error (${type}): ${message}`, { cause: error });
}
