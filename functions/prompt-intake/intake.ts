/**
 * Admission of one prompt published to `/prompts/{sub}`: the same checks, with the same
 * code, as the startChat pipeline (validateChatInput → admitChatTurn): one conditional
 * write on the user's budget item, with the request record and the conversation a
 * `newConversation` prompt names checked beside it, so a republished request id is
 * answered as a duplicate. It ends in the {@link ChatTurnRequest} the streaming Lambda
 * takes (which claims the turn and records it), or in the `error` event the client gets on
 * its chat channel instead.
 */
import { ERROR_CLASSES, ErrorCode, isErrorCode, type ChatTurnRequest, type ErrorEvent } from '../../schema/stream-protocol.js';
import { checkChatTurn } from '../../schema/input-rules.js';
import { turnInput, type PromptCaller, type PublishedPrompt } from './prompt-event.js';

/** The gateway API's `admit` action, as its Lambda handler answers it (functions/gateway-api). */
export type AdmitAction = (event: {
  action: 'admit';
  caller: PromptCaller;
  /** `maxTokens` null: the client gave none, and admission picks the default under the caller's policy. */
  args: {
    requestId: string;
    modelId: string;
    prompt: string;
    maxTokens: number | null;
    conversationId: string;
    /** Checked beside the admission write: the request record, and a new conversation's absence. */
    turn: { newConversation: boolean; mayBeRecorded: true };
  };
}) => Promise<{ result: unknown } | { error: { errorType: string; message: string; errorInfo: Record<string, unknown> } }>;

export interface IntakeDeps {
  admit: AdmitAction;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * What became of a prompt: a turn to stream (`duplicate` when its request id was already
 * recorded, so the streaming Lambda's claim decides whether it still runs), or an `error`
 * event for the chat channel.
 */
export type IntakeOutcome = { kind: 'admitted' | 'duplicate'; request: ChatTurnRequest } | { kind: 'refused'; error: ErrorEvent };

/** An admission refusal as the stream protocol's closed set of codes says it. */
function refusal(requestId: string, errorType: string, message: string, retryable?: unknown): IntakeOutcome {
  // Every admission code is in the one table; a code outside it is a bug of ours.
  const code = isErrorCode(errorType) ? errorType : ErrorCode.INTERNAL;
  const isRetryable = typeof retryable === 'boolean' ? retryable : ERROR_CLASSES[code].retryable;
  // seq 0: no `start` was sent, so the error is the whole (one-event) stream of this request id.
  return { kind: 'refused', error: { type: 'error', requestId, seq: 0, code, message, retryable: isRetryable } };
}

/**
 * Validates, admits (reserves budget) and records one prompt.
 *
 * @example
 * ```ts
 * const outcome = await admitPrompt(prompt, caller, { admit: gatewayApi, db, tables });
 * if (outcome.kind === 'refused') await publisher.publish(channel, [outcome.error]);
 * ```
 */
export async function admitPrompt(prompt: PublishedPrompt, caller: PromptCaller, deps: IntakeDeps): Promise<IntakeOutcome> {
  const { requestId } = prompt;
  const input = turnInput(prompt, caller);
  if ('ok' in input) return refusal(requestId, input.code, input.message, false);
  const check = checkChatTurn(input);
  if (!check.ok) return refusal(requestId, check.code, check.message, false);

  const newConversation = input.newConversation === true;
  const admitted = await deps.admit({
    action: 'admit',
    caller,
    args: { requestId, modelId: input.modelId, prompt: input.prompt, maxTokens: check.maxTokens, conversationId: input.conversationId, turn: { newConversation, mayBeRecorded: true } },
  });
  if ('error' in admitted) return refusal(requestId, admitted.error.errorType, admitted.error.message, admitted.error.errorInfo.retryable);
  const { maxTokens, policyGroup, duplicate } = admitted.result as { maxTokens: number; policyGroup: string; duplicate: boolean };
  const request: ChatTurnRequest = {
    requestId,
    userId: caller.sub,
    conversationId: input.conversationId,
    modelId: input.modelId,
    prompt: input.prompt,
    maxTokens,
    groups: caller.groups,
    policyGroup,
    newConversation,
    createdAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  // A duplicate (Lambda retrying this invocation, or a client republishing its request id)
  // still goes to the streaming handler: its claim streams it only if no earlier attempt did.
  return { kind: duplicate ? 'duplicate' : 'admitted', request };
}
