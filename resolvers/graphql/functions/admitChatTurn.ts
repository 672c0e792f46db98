import { util, type Context } from '@aws-appsync/utils';
import type { TurnStash } from '../Mutation.startChat.js';

/**
 * Admits the turn (gateway API Lambda): under the caller's effective policy (groups,
 * then an admin's per-user override) it checks the model and maxTokens, and reserves the
 * worst-case cost against the day and month budgets, the request rate and the open-turn
 * cap in ONE conditional DynamoDB write on the caller's budget item: a refused turn writes
 * nothing. The request record, the conversation and the user's message are written by the
 * streaming Lambda once it has claimed the turn. Refusals are ModelNotAllowed,
 * ValidationError (maxTokens above the policy's cap), BudgetExceeded (errorInfo: what is
 * left and when it resets), RateLimited (errorInfo: when to retry) or ConversationExists
 * (a `newConversation` turn naming a conversation that exists).
 */
export function request(ctx: Context) {
  const turn = ctx.stash.turn as TurnStash;
  return {
    operation: 'Invoke',
    payload: {
      action: 'admit',
      caller: { sub: turn.userId, username: turn.userId, groups: turn.groups },
      args: {
        requestId: turn.requestId,
        modelId: turn.modelId,
        prompt: turn.prompt,
        maxTokens: turn.maxTokens,
        conversationId: turn.conversationId,
        // Only a conversation the client named can exist already: admission checks it beside its write.
        // With a clientRequestId, the request record is read too: a retry of a turn that ran is that turn.
        turn: { newConversation: turn.newConversation && turn.conversationNamed, mayBeRecorded: !!turn.idempotency },
        ...(turn.idempotency ? { idempotency: turn.idempotency } : {}),
      },
    },
  };
}

/** A recorded turn's status (ChatRequests) as the schema's ChatTurnStatus. */
const CHAT_TURN_STATUS: Record<string, string> = {
  admitted: 'PENDING',
  streaming: 'STREAMING',
  completed: 'COMPLETE',
  undelivered: 'COMPLETE',
  cancelled: 'CANCELLED',
  failed: 'FAILED',
};

/** Keeps the admitted output cap (policy and model capped) and the policy group. */
export function response(ctx: Context) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const outcome = ctx.result as { result?: { maxTokens: number; policyGroup: string }; error?: { message: string; errorType: string; errorInfo: unknown } };
  if (outcome.error) {
    util.error(outcome.error.message, outcome.error.errorType, null, outcome.error.errorInfo);
  }
  const admitted = outcome.result as {
    maxTokens: number;
    policyGroup: string;
    duplicate?: boolean;
    fingerprint?: string;
    original?: { conversationId?: string; createdAt: string; status?: string };
  };
  // The streaming Lambda stores it with the turn's record, so a retry after settlement is still recognised.
  if (admitted.fingerprint) ctx.stash.fingerprint = admitted.fingerprint;
  const turn = ctx.stash.turn as TurnStash;
  const original = admitted.duplicate ? admitted.original : undefined;
  // A retried call answers with the first call's turn: its conversation, time and, once recorded, status.
  const conversationId = original?.conversationId ?? turn.conversationId;
  ctx.stash.turn = {
    ...turn,
    maxTokens: admitted.maxTokens,
    policyGroup: admitted.policyGroup,
    ...(original
      ? {
          conversationId,
          channel: `/chat/${turn.userId}/${conversationId}`,
          createdAt: original.createdAt,
          ...(original.status ? { status: CHAT_TURN_STATUS[original.status] ?? 'PENDING' } : {}),
        }
      : {}),
  };
  return admitted;
}
