import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/** models (before): stashes the caller's groups. Pipeline: listAllowedModels. */
export function request(ctx: Context) {
  ctx.stash.groups = cognitoCaller(ctx.identity).groups;
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
