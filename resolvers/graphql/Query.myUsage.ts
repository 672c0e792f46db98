import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/**
 * myUsage (before): only a Cognito user has a budget. Pipeline: callGatewayApi, which
 * reads the caller's usage and limits from the ledger.
 */
export function request(ctx: Context) {
  cognitoCaller(ctx.identity);
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
