import { util, type Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/** What the pipeline's functions share through `ctx.stash.turn`. */
export interface TurnStash {
  requestId: string;
  conversationId: string;
  userId: string;
  groups: string[];
  modelId: string;
  prompt: string;
  /** The client's maxTokens, or null when it gave none; after admitChatTurn, the admitted cap. */
  maxTokens: number | null;
  createdAt: string;
  channel: string;
  /** Set by admitChatTurn: the policy group the turn was admitted under. */
  policyGroup?: string;
  /**
   * True when the turn creates its conversation: it named none (and got a new id), or
   * named one with `newConversation` (admission proves it new). The Lambda skips the history read.
   */
  newConversation: boolean;
  /** The client named the conversation (only such a one can exist already). */
  conversationNamed: boolean;
  /**
   * Set when the client gave a clientRequestId (then the turn's requestId): what the
   * request's fingerprint covers besides model, prompt and maxTokens. A retry with the same
   * id and fingerprint is the same turn; a different fingerprint is IdempotentParameterMismatch.
   */
  idempotency?: { conversationId: string | null; newConversation: boolean };
  /** A retried call whose turn was recorded already: its status (ChatTurnStatus). */
  status?: string;
}

/** The stash after admitChatTurn: maxTokens is the admitted output cap, never null. */
export type AdmittedTurnStash = TurnStash & { maxTokens: number; policyGroup: string };

interface Args {
  input: {
    conversationId?: string | null;
    newConversation?: boolean | null;
    modelId: string;
    prompt: string;
    maxTokens?: number | null;
    clientRequestId?: string | null;
  };
}

/**
 * startChat (before): names the turn (a new request id, the conversation id or a new
 * ULID one) and stashes it. Pipeline: validateChatInput → admitChatTurn (one conditional
 * write on the caller's budget item) → invokeChatStream (whose Lambda claims the turn and
 * records it).
 */
export function request(ctx: Context<Args>) {
  const caller = cognitoCaller(ctx.identity);
  const input = ctx.args.input;
  const conversationId = input.conversationId || util.autoUlid();
  const idempotent = input.clientRequestId !== null && input.clientRequestId !== undefined;
  const turn: TurnStash = {
    // A client's idempotency key names the turn, so a retry meets the first call's reservation and record.
    requestId: idempotent ? (input.clientRequestId as string) : util.autoId(),
    conversationId,
    userId: caller.sub,
    groups: caller.groups,
    modelId: input.modelId,
    prompt: input.prompt,
    // null marks "not given": every number the client sends (0, -1, …) is validated, never defaulted.
    maxTokens: input.maxTokens === null || input.maxTokens === undefined ? null : input.maxTokens,
    createdAt: util.time.nowISO8601(),
    channel: `/chat/${caller.sub}/${conversationId}`,
    newConversation: !input.conversationId || input.newConversation === true,
    conversationNamed: !!input.conversationId,
    ...(idempotent ? { idempotency: { conversationId: input.conversationId || null, newConversation: input.newConversation === true } } : {}),
  };
  ctx.stash.turn = turn;
  return {};
}

/** startChat (after): the admitted turn; tokens follow on `channel`. */
export function response(ctx: Context) {
  const turn = ctx.stash.turn as TurnStash;
  return {
    requestId: turn.requestId,
    conversationId: turn.conversationId,
    channel: turn.channel,
    modelId: turn.modelId,
    status: turn.status ?? 'PENDING',
    createdAt: turn.createdAt,
  };
}
