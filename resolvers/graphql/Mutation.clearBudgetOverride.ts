import type { Context } from '@aws-appsync/utils';
import { adminCaller } from './lib/admin.js';

/** clearBudgetOverride (before, admins): stashes the acting admin. Pipeline: storeBudgetOverride. */
export function request(ctx: Context) {
  ctx.stash.actor = adminCaller(ctx.identity);
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
