import { util, type Context } from '@aws-appsync/utils';
import type { TurnStash } from '../Mutation.startChat.js';

/** A turn's request item lives a day (DynamoDB TTL); the ledger keeps what it cost. */
const REQUEST_TTL_IN_SECONDS = 24 * 60 * 60;
/** Longest conversation title, taken from the first prompt. */
const MAX_TITLE_LENGTH = 80;

/**
 * Records the admitted turn and creates or bumps its conversation in one transaction
 * (DynamoDB data source). The conversation key holds the caller's sub, so a client
 * cannot write into someone else's conversation by naming its id.
 */
export function request(ctx: Context) {
  const turn = ctx.stash.turn as TurnStash;
  return {
    operation: 'TransactWriteItems',
    transactItems: [
      {
        table: ctx.env.TABLE_CHATREQUESTS,
        operation: 'PutItem',
        key: util.dynamodb.toMapValues({ requestId: turn.requestId }),
        attributeValues: util.dynamodb.toMapValues({
          userId: turn.userId,
          conversationId: turn.conversationId,
          modelId: turn.modelId,
          prompt: turn.prompt,
          maxTokens: turn.maxTokens,
          groups: turn.groups,
          status: 'admitted',
          cancelRequested: false,
          createdAt: turn.createdAt,
          expiresAt: util.time.nowEpochSeconds() + REQUEST_TTL_IN_SECONDS,
        }),
        condition: { expression: 'attribute_not_exists(requestId)' },
      },
      {
        table: ctx.env.TABLE_CONVERSATIONS,
        operation: 'UpdateItem',
        key: util.dynamodb.toMapValues({ userId: turn.userId, conversationId: turn.conversationId }),
        update: {
          expression: 'SET title = if_not_exists(title, :title), createdAt = if_not_exists(createdAt, :now), updatedAt = :now, modelId = :model',
          expressionValues: util.dynamodb.toMapValues({ ':title': turn.prompt.slice(0, MAX_TITLE_LENGTH), ':now': turn.createdAt, ':model': turn.modelId }),
        },
      },
    ],
  };
}

/** Raises a failed write; nothing was written (the transaction is all or nothing). */
export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}
