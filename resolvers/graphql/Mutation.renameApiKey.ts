import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';
import { invalid, isSafeId } from './lib/validation.js';

/** renameApiKey (before): checks the key id. Pipeline: callGatewayApi, on the caller's own keys only. */
export function request(ctx: Context<{ keyId: string }>) {
  cognitoCaller(ctx.identity);
  if (!isSafeId(ctx.args.keyId)) invalid('keyId', 'must be 1-64 letters, digits, - or _');
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
