import type { Context } from '@aws-appsync/utils';
import { adminCaller } from './lib/admin.js';
import { invalid, isSafeId } from './lib/validation.js';

/** adminRevokeApiKey (before, admins): checks the ids. Pipeline: callGatewayApi, which revokes and audits in one transaction. */
export function request(ctx: Context<{ userId: string; keyId: string }>) {
  adminCaller(ctx.identity);
  if (!isSafeId(ctx.args.userId)) invalid('userId', 'must be 1-64 letters, digits, - or _');
  if (!isSafeId(ctx.args.keyId)) invalid('keyId', 'must be 1-64 letters, digits, - or _');
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
