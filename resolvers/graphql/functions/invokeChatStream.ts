import { runtime, util, type Context } from '@aws-appsync/utils';
import type { AdmittedTurnStash } from '../Mutation.startChat.js';
import { chatTurnRequest } from '../../../schema/stream-protocol.js';

/**
 * Starts the streaming Lambda asynchronously (invocation type Event), so the mutation
 * returns at once; the event is the contract's `ChatTurnRequest` (schema/stream-protocol.ts).
 */
export function request(ctx: Context) {
  const turn = ctx.stash.turn as AdmittedTurnStash;
  // A retried call whose turn the streaming Lambda recorded already: nothing to start. A retry
  // of a turn only admitted (the first call timed out before this step) invokes it again; the
  // Lambda's claim makes sure it streams once.
  if (turn.status) runtime.earlyReturn(ctx.prev.result);
  return {
    operation: 'Invoke',
    invocationType: 'Event',
    // A startChat with a clientRequestId carries its fingerprint, to tell a retry from a reuse.
    payload: chatTurnRequest(turn.idempotency ? { ...turn, fingerprint: ctx.stash.fingerprint } : turn),
  };
}

/** Raises a Lambda that could not be queued. */
export function response(ctx: Context) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.prev.result;
}
