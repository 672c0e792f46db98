import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/** conversation (before): stashes the caller. Pipeline: getConversation. */
export function request(ctx: Context<{ id: string }>) {
  ctx.stash.userId = cognitoCaller(ctx.identity).sub;
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
