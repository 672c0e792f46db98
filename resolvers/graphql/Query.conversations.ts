import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/** conversations (before): stashes the caller. Pipeline: listConversations. */
export function request(ctx: Context) {
  ctx.stash.userId = cognitoCaller(ctx.identity).sub;
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
