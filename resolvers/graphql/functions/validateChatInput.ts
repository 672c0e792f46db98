import type { Context } from '@aws-appsync/utils';
import type { TurnStash } from '../Mutation.startChat.js';
import { findModel } from '../lib/policy.js';
import { invalid, isSafeId, MAX_PROMPT_SIZE_IN_BYTES, utf8Size } from '../lib/validation.js';

/**
 * Checks a chat turn's shape before anything is written (NONE data source): the prompt is
 * not empty and at most MAX_PROMPT_SIZE_IN_BYTES, the conversation id is well formed, the
 * model exists, and maxTokens is within the model's own cap. Raises `ValidationError`.
 * What the caller's policy allows (the model, a lower output cap, the budget) depends on
 * an admin's per-user override, so admitChatTurn decides it, in one place.
 */
export function request(ctx: Context) {
  const turn = ctx.stash.turn as TurnStash;
  if (turn.prompt.trim() === '') invalid('prompt', 'must not be empty');
  if (turn.prompt.length > MAX_PROMPT_SIZE_IN_BYTES || utf8Size(turn.prompt) > MAX_PROMPT_SIZE_IN_BYTES) {
    invalid('prompt', `must be at most ${MAX_PROMPT_SIZE_IN_BYTES} bytes of UTF-8`);
  }
  if (!isSafeId(turn.conversationId)) invalid('conversationId', 'must be 1-64 letters, digits, - or _');
  // The client's idempotency key becomes the turn's request id: it names a ledger entry and a record.
  if (turn.idempotency && !isSafeId(turn.requestId)) invalid('clientRequestId', 'must be 1-64 letters, digits, - or _');
  const model = findModel(turn.modelId);
  if (!model) invalid('modelId', `unknown model ${turn.modelId}`);
  const maxTokens = turn.maxTokens;
  // null: the client gave none, and admission picks the default under the caller's policy.
  if (maxTokens !== null && (maxTokens < 1 || maxTokens > model.maxOutputTokens)) {
    invalid('maxTokens', `must be between 1 and ${model.maxOutputTokens} for ${turn.modelId}`);
  }
  return { payload: { maxTokens } };
}

export function response(ctx: Context) {
  return ctx.result;
}
