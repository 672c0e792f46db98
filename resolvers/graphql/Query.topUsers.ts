import type { Context } from '@aws-appsync/utils';
import { adminCaller, checkDateRange } from './lib/admin.js';
import { pageLimit } from './lib/validation.js';

/** topUsers (before, admins): checks the range and limit. Pipeline: buildTopUsers. */
export function request(ctx: Context<{ from: string; to: string; limit?: number | null }>) {
  adminCaller(ctx.identity);
  ctx.stash.range = checkDateRange(ctx.args.from, ctx.args.to);
  ctx.stash.limit = pageLimit(ctx.args.limit, 10, 100);
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
