import type { Context } from '@aws-appsync/utils';
import { adminCaller } from './lib/admin.js';
import { invalid, isSafeId } from './lib/validation.js';

/** apiKeys (before, admins): checks the user id. Pipeline: callGatewayApi, which lists that user's keys. */
export function request(ctx: Context<{ userId: string }>) {
  adminCaller(ctx.identity);
  if (!isSafeId(ctx.args.userId)) invalid('userId', 'must be 1-64 letters, digits, - or _');
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
