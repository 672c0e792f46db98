import type { Context } from '@aws-appsync/utils';
import { adminCaller, checkDateRange } from './lib/admin.js';
import { invalid, isSafeId } from './lib/validation.js';

/**
 * usageReport (before, admins): checks the range and, for one user's drill-down, the user
 * id. Pipeline: callGatewayApi.
 */
export function request(ctx: Context<{ from: string; to: string; groupBy: string; userId?: string | null }>) {
  adminCaller(ctx.identity);
  ctx.stash.range = checkDateRange(ctx.args.from, ctx.args.to);
  const userId = ctx.args.userId;
  if (userId !== null && userId !== undefined && !isSafeId(userId)) invalid('userId', 'must be 1-64 letters, digits, - or _');
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
