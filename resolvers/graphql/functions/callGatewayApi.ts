import { util, type Context } from '@aws-appsync/utils';
import { cognitoCaller } from '../lib/caller.js';

/**
 * Hands the field to the gateway API Lambda (functions/gateway-api), which reads and
 * writes the budget ledger: the action is the field's name. Typed failures come back
 * as values and are raised here with their errorType.
 */
export function request(ctx: Context) {
  return {
    operation: 'Invoke',
    payload: {
      action: ctx.info.fieldName,
      caller: cognitoCaller(ctx.identity),
      args: ctx.args,
      stash: ctx.stash,
    },
  };
}

export function response(ctx: Context) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const outcome = ctx.result as { result?: unknown; error?: { message: string; errorType: string; errorInfo: unknown } };
  if (outcome.error) {
    util.error(outcome.error.message, outcome.error.errorType, null, outcome.error.errorInfo);
  }
  return outcome.result;
}
