import { util, type Context } from '@aws-appsync/utils';
import { toConversation } from '../lib/mapping.js';
import { raiseDataSourceError } from '../lib/data-source-error.js';

/** One conversation of the caller (GetItem keyed by the caller's sub: another's is simply absent). */
export function request(ctx: Context<{ id: string }>) {
  return { operation: 'GetItem', key: util.dynamodb.toMapValues({ userId: ctx.stash.userId, conversationId: ctx.args.id }) };
}

export function response(ctx: Context) {
  if (ctx.error) raiseDataSourceError(ctx.error);
  return ctx.result ? toConversation(ctx.result as Record<string, unknown>) : null;
}
