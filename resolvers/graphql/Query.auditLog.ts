import type { Context } from '@aws-appsync/utils';
import { adminCaller } from './lib/admin.js';
import { pageLimit } from './lib/validation.js';

/** auditLog (before, admins): checks the page size. Pipeline: listAuditLog. */
export function request(ctx: Context<{ limit?: number | null }>) {
  adminCaller(ctx.identity);
  ctx.stash.limit = pageLimit(ctx.args.limit, 50, 500);
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
