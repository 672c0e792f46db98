import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';

/**
 * models (before): only a Cognito user has a policy. Pipeline: callGatewayApi, which lists
 * the models of the caller's effective policy (groups, then an admin's per-user override).
 */
export function request(ctx: Context) {
  cognitoCaller(ctx.identity);
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
