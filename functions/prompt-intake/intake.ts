/**
 * Admission of one prompt published to `/prompts/{sub}`: the same checks, with the same
 * code, as the startChat pipeline (validateChatInput → admitChatTurn, which there also
 * records the turn in its reservation transaction; here recording follows admission, so a
 * republished request id is answered as a duplicate), ending in the {@link ChatTurnRequest} the streaming
 * Lambda takes, or in the `error` event the client gets on its chat channel instead.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ERROR_CLASSES, ErrorCode, isErrorCode, type ChatTurnRequest, type ErrorEvent } from '../shared/protocol.js';
import { newMessageId } from '../shared/conversation-store.js';
import { TURN_RECORD_ITEM, turnRecordItems, type AdmittedTurn, type TurnTables } from '../shared/turn-record.js';
import { checkChatTurn } from '../shared/turn-validation.js';
import { turnInput, type PromptCaller, type PublishedPrompt } from './prompt-event.js';

/** The gateway API's `admit` action, as its Lambda handler answers it (functions/gateway-api). */
export type AdmitAction = (event: {
  action: 'admit';
  caller: PromptCaller;
  /** `maxTokens` null: the client gave none, and admission picks the default under the caller's policy. */
  args: { requestId: string; modelId: string; prompt: string; maxTokens: number | null; conversationId: string };
}) => Promise<{ result: unknown } | { error: { errorType: string; message: string; errorInfo: Record<string, unknown> } }>;

export interface IntakeDeps {
  admit: AdmitAction;
  db: Pick<DynamoDBDocumentClient, 'send'>;
  tables: TurnTables;
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

  const admitted = await deps.admit({
    action: 'admit',
    caller,
    args: { requestId, modelId: input.modelId, prompt: input.prompt, maxTokens: check.maxTokens, conversationId: input.conversationId },
  });
  if ('error' in admitted) return refusal(requestId, admitted.error.errorType, admitted.error.message, admitted.error.errorInfo.retryable);
  const { maxTokens, policyGroup } = admitted.result as { maxTokens: number; policyGroup: string };

  const now = (deps.now ?? (() => new Date()))();
  const turn: AdmittedTurn = {
    requestId,
    userId: caller.sub,
    conversationId: input.conversationId,
    modelId: input.modelId,
    prompt: input.prompt,
    maxTokens,
    groups: caller.groups,
    createdAt: now.toISOString(),
  };
  const request: ChatTurnRequest = { ...turn, policyGroup };
  if (await record(turn, now, deps)) return { kind: 'admitted', request };

  // Recorded before: Lambda retrying this invocation, or a client republishing its request id.
  const { Item } = await deps.db.send(new GetCommand({ TableName: deps.tables.requests, Key: { requestId }, ConsistentRead: true }));
  if (!Item || Item.userId !== caller.sub) return refusal(requestId, 'RequestIdConflict', `requestId: ${requestId} is already in use`, false);
  const stored = Item as AdmittedTurn;
  return {
    kind: 'duplicate',
    // What was recorded first wins, as the reservation it was admitted under did.
    request: { ...request, conversationId: stored.conversationId, modelId: stored.modelId, prompt: stored.prompt, maxTokens: stored.maxTokens },
  };
}

/** Writes the turn's record (request item, conversation, user message) in one transaction; false if the request id was recorded before. */
async function record(turn: AdmittedTurn, now: Date, deps: IntakeDeps): Promise<boolean> {
  try {
    await deps.db.send(
      new TransactWriteCommand({ TransactItems: turnRecordItems(turn, deps.tables, { nowEpochSeconds: Math.floor(now.getTime() / 1000), messageId: newMessageId(now) }) }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.[TURN_RECORD_ITEM.request]?.Code === 'ConditionalCheckFailed') return false;
    throw error;
  }
}
