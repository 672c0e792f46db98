import { util, type Context } from '@aws-appsync/utils';
import { chatRequestAttributes, conversationUpdate, REQUEST_NOT_RECORDED_CONDITION } from '../../../functions/shared/turn-record.js';
import type { AdmittedTurnStash } from '../Mutation.startChat.js';

/**
 * Records the admitted turn and creates or bumps its conversation in one transaction
 * (DynamoDB data source), with the item shapes of functions/shared/turn-record.ts that the
 * Events way in writes too. The conversation key holds the caller's sub, so a client
 * cannot write into someone else's conversation by naming its id.
 */
export function request(ctx: Context) {
  const turn = ctx.stash.turn as AdmittedTurnStash;
  const conversation = conversationUpdate(turn);
  return {
    operation: 'TransactWriteItems',
    transactItems: [
      {
        table: ctx.env.TABLE_CHATREQUESTS,
        operation: 'PutItem',
        key: util.dynamodb.toMapValues({ requestId: turn.requestId }),
        attributeValues: util.dynamodb.toMapValues(chatRequestAttributes(turn, util.time.nowEpochSeconds())),
        condition: { expression: REQUEST_NOT_RECORDED_CONDITION },
      },
      {
        table: ctx.env.TABLE_CONVERSATIONS,
        operation: 'UpdateItem',
        key: util.dynamodb.toMapValues({ userId: turn.userId, conversationId: turn.conversationId }),
        update: { expression: conversation.expression, expressionValues: util.dynamodb.toMapValues(conversation.values) },
      },
    ],
  };
}

/** Raises a failed write; nothing was written (the transaction is all or nothing). */
export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}
