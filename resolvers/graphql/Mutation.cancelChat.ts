import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/** cancelChat (before): stashes the caller. Pipeline: cancelChatRequest. */
export function request(ctx: Context<{ requestId: string }>) {
  ctx.stash.userId = cognitoCaller(ctx.identity).sub;
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
