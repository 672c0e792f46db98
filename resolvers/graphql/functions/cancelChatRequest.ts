import { util, type Context } from '@aws-appsync/utils';
import { ErrorCode } from '../../../schema/errors.js';

/**
 * Flags a running turn of the caller as cancelled (DynamoDB UpdateItem on the caller's own
 * budget item, where the turn's open reservation lives from admission until it settles).
 * The streaming Lambda sees the flag at its claim, or within one flush while streaming,
 * and ends the turn with stopReason `cancelled`. Someone else's turn, or one that already
 * ended, is `NotFound` (no hint that it exists): it has no open entry in the caller's item.
 */
export function request(ctx: Context<{ requestId: string }>) {
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ pk: `USER#${ctx.stash.userId}`, sk: 'BUDGET' }),
    update: {
      expression: 'SET #r.z = :yes',
      expressionNames: { '#r': `R#${ctx.args.requestId}` },
      expressionValues: util.dynamodb.toMapValues({ ':yes': true }),
    },
    condition: {
      expression: 'attribute_exists(#r)',
      expressionNames: { '#r': `R#${ctx.args.requestId}` },
    },
  };
}

export function response(ctx: Context<{ requestId: string }>) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      util.error(`No running chat turn ${ctx.args.requestId} of yours`, ErrorCode.NOT_FOUND);
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  const item = ctx.result as Record<string, unknown>;
  const entry = item[`R#${ctx.args.requestId}`] as { v: string; m: string; c: number };
  return {
    requestId: ctx.args.requestId,
    conversationId: entry.v,
    channel: `/chat/${ctx.stash.userId}/${entry.v}`,
    modelId: entry.m,
    status: 'CANCELLED',
    createdAt: util.time.epochMilliSecondsToISO8601(entry.c),
  };
}
