import { util, type Context } from '@aws-appsync/utils';
import type { TurnStash } from '../Mutation.startChat.js';
import { checkChatTurn, isSafeId } from '../../../schema/input-rules.js';
import { ErrorCode } from '../../../schema/errors.js';

/**
 * Checks a chat turn's shape before anything is written (NONE data source), by the input
 * rules of the contract (schema/input-rules.ts) that the prompts way in applies too: the
 * prompt is not empty and at most MAX_PROMPT_SIZE_IN_BYTES, the conversation id is well
 * formed, the model exists, and maxTokens is within the model's own cap. Raises
 * `ValidationError`. What the caller's policy allows (the model, a lower output cap, the
 * budget) depends on an admin's per-user override, so admitChatTurn decides it, in one place.
 */
export function request(ctx: Context) {
  const turn = ctx.stash.turn as TurnStash;
  const check = checkChatTurn(turn);
  if (!check.ok) util.error(check.message, check.code, null, check.info);
  // The client's idempotency key becomes the turn's request id: it names a ledger entry and a record.
  if (turn.idempotency && !isSafeId(turn.requestId)) {
    util.error('clientRequestId: must be 1-64 letters, digits, - or _', ErrorCode.VALIDATION, null, { field: 'clientRequestId', retryable: false });
  }
  // null: the client gave none, and admission picks the default under the caller's policy.
  return { payload: { maxTokens: turn.maxTokens } };
}

export function response(ctx: Context) {
  return ctx.result;
}
