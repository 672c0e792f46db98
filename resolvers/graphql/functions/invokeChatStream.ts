import { util, type Context } from '@aws-appsync/utils';
import type { AdmittedTurnStash } from '../Mutation.startChat.js';
import { chatTurnRequest } from '../../../schema/stream-protocol.js';

/**
 * Starts the streaming Lambda asynchronously (invocation type Event), so the mutation
 * returns at once; the event is the contract's `ChatTurnRequest` (schema/stream-protocol.ts).
 */
export function request(ctx: Context) {
  const turn = ctx.stash.turn as AdmittedTurnStash;
  return {
    operation: 'Invoke',
    invocationType: 'Event',
    payload: chatTurnRequest(turn),
  };
}

/** Raises a Lambda that could not be queued. */
export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.prev.result;
}
