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
  maxTokens: number;
  createdAt: string;
  channel: string;
  /** Set by admitChatTurn: the policy group the turn was admitted under. */
  policyGroup?: string;
}

interface Args {
  input: { conversationId?: string | null; modelId: string; prompt: string; maxTokens?: number | null };
}

/**
 * startChat (before): names the turn (a new request id, the conversation id or a new
 * ULID one) and stashes it. Pipeline: validateChatInput → admitChatTurn →
 * recordChatRequest → invokeChatStream.
 */
export function request(ctx: Context<Args>) {
  const caller = cognitoCaller(ctx.identity);
  const input = ctx.args.input;
  const conversationId = input.conversationId || util.autoUlid();
  const turn: TurnStash = {
    requestId: util.autoId(),
    conversationId,
    userId: caller.sub,
    groups: caller.groups,
    modelId: input.modelId,
    prompt: input.prompt,
    // -1 marks "not given"; an explicit 0 must fail validation, not become the default.
    maxTokens: input.maxTokens === null || input.maxTokens === undefined ? -1 : input.maxTokens,
    createdAt: util.time.nowISO8601(),
    channel: `/chat/${caller.sub}/${conversationId}`,
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
    status: 'PENDING',
    createdAt: turn.createdAt,
  };
}
