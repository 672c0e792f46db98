import type { Context } from '@aws-appsync/utils';
import { adminCaller, checkDateRange } from './lib/admin.js';

/** usageReport (before, admins): checks the range. Pipeline: buildUsageReport. */
export function request(ctx: Context<{ from: string; to: string; groupBy: string }>) {
  adminCaller(ctx.identity);
  ctx.stash.range = checkDateRange(ctx.args.from, ctx.args.to);
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
