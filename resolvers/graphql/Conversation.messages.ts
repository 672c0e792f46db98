import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/** Conversation.messages (before): stashes the conversation and the caller. Pipeline: listMessages. */
export function request(ctx: Context) {
  ctx.stash.conversationId = (ctx.source as { id: string }).id;
  ctx.stash.userId = cognitoCaller(ctx.identity).sub;
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
