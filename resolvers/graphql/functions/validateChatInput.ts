import { util, type Context } from '@aws-appsync/utils';
import type { TurnStash } from '../Mutation.startChat.js';
import { allowedModels, findModel, policyMaxOutputTokens } from '../lib/policy.js';
import { invalid, isSafeId, MAX_PROMPT_SIZE_IN_BYTES, utf8Size } from '../lib/validation.js';

/** maxTokens when the client gives none (capped by the model and the policy). */
const DEFAULT_MAX_TOKENS = 1024;

/**
 * Checks a chat turn before anything is written (NONE data source): the prompt is not
 * empty and at most MAX_PROMPT_SIZE_IN_BYTES, the conversation id is well formed, the
 * model exists and the caller's groups may use it, and maxTokens is in range. Raises
 * `ValidationError` or `ModelNotAllowed`.
 */
export function request(ctx: Context) {
  const turn = ctx.stash.turn as TurnStash;
  if (turn.prompt.trim() === '') invalid('prompt', 'must not be empty');
  if (turn.prompt.length > MAX_PROMPT_SIZE_IN_BYTES || utf8Size(turn.prompt) > MAX_PROMPT_SIZE_IN_BYTES) {
    invalid('prompt', `must be at most ${MAX_PROMPT_SIZE_IN_BYTES} bytes of UTF-8`);
  }
  if (!isSafeId(turn.conversationId)) invalid('conversationId', 'must be 1-64 letters, digits, - or _');
  const model = findModel(turn.modelId);
  if (!model) invalid('modelId', `unknown model ${turn.modelId}`);
  if (!allowedModels(turn.groups).some((m) => m.id === turn.modelId)) {
    util.error(`Your groups may not use the model ${turn.modelId}`, 'ModelNotAllowed', null, { modelId: turn.modelId });
  }
  const cap = Math.min(model.maxOutputTokens, policyMaxOutputTokens(turn.groups));
  const maxTokens = turn.maxTokens === -1 ? Math.min(DEFAULT_MAX_TOKENS, cap) : turn.maxTokens;
  if (maxTokens < 1 || maxTokens > cap) invalid('maxTokens', `must be between 1 and ${cap} for ${turn.modelId}`);
  return { payload: { maxTokens } };
}

/** Stores the checked maxTokens for the next functions. */
export function response(ctx: Context) {
  const turn = ctx.stash.turn as TurnStash;
  ctx.stash.turn = { ...turn, maxTokens: (ctx.result as { maxTokens: number }).maxTokens };
  return ctx.result;
}
