import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/** myApiKeys (before): a signed-in caller. Pipeline: callGatewayApi, which lists the caller's own keys. */
export function request(ctx: Context) {
  cognitoCaller(ctx.identity);
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
