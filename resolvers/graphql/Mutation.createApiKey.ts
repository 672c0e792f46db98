import type { Context } from '@aws-appsync/utils';
import { cognitoCaller } from './lib/caller.js';
import { invalid } from './lib/validation.js';

/**
 * createApiKey (before): checks the name's length. Pipeline: callGatewayApi, which checks
 * the expiry and budget, creates the key for the caller and returns its secret this once.
 */
export function request(ctx: Context<{ input: { name: string } }>) {
  cognitoCaller(ctx.identity);
  const name = ctx.args.input.name.trim();
  if (name.length < 1 || name.length > 100) invalid('name', 'must be 1-100 characters');
  return {};
}

export { lastResult as response } from './lib/pass-through.js';
