import { util, type Context } from '@aws-appsync/utils';
import { turnStatus } from '../lib/mapping.js';

/**
 * Flags a running turn of the caller as cancelled (DynamoDB UpdateItem); the streaming
 * Lambda sees the flag within one flush and ends the turn with stopReason `cancelled`.
 * Someone else's turn, or one that already ended, is `NotFound` (no hint that it exists).
 */
export function request(ctx: Context<{ requestId: string }>) {
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ requestId: ctx.args.requestId }),
    update: {
      expression: 'SET cancelRequested = :yes, cancelRequestedAt = :now',
      expressionValues: util.dynamodb.toMapValues({ ':yes': true, ':now': util.time.nowISO8601() }),
    },
    condition: {
      expression: 'userId = :sub AND (#status = :admitted OR #status = :streaming)',
      expressionNames: { '#status': 'status' },
      expressionValues: util.dynamodb.toMapValues({ ':sub': ctx.stash.userId, ':admitted': 'admitted', ':streaming': 'streaming' }),
    },
  };
}

export function response(ctx: Context<{ requestId: string }>) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      util.error(`No running chat turn ${ctx.args.requestId} of yours`, 'NotFound');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  const item = ctx.result as Record<string, string>;
  return {
    requestId: item.requestId,
    conversationId: item.conversationId,
    channel: `/chat/${item.userId}/${item.conversationId}`,
    modelId: item.modelId,
    status: item.status === 'admitted' || item.status === 'streaming' ? 'CANCELLED' : turnStatus(item.status),
    createdAt: item.createdAt,
  };
}
