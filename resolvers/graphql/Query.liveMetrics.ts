import type { Context } from '@aws-appsync/utils';
import { adminCaller } from './lib/admin.js';
import { pageLimit } from './lib/validation.js';

/** liveMetrics (before, admins): checks the window (1 minute to a day). Pipeline: readLiveMetrics. */
export function request(ctx: Context<{ windowMinutes?: number | null }>) {
  adminCaller(ctx.identity);
  ctx.stash.windowMinutes = pageLimit(ctx.args.windowMinutes, 60, 1440);
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
