import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/** myUsage (before): stashes the caller. Pipeline: readMyUsage. */
export function request(ctx: Context) {
  const caller = cognitoCaller(ctx.identity);
  ctx.stash.userId = caller.sub;
  ctx.stash.groups = caller.groups;
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
