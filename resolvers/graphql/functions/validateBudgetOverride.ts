import type { Context } from '@aws-appsync/utils';
import { invalid, isSafeId } from '../lib/validation.js';

interface OverrideInput {
  dailyLimitUsd?: number | null;
  monthlyLimitUsd?: number | null;
  maxOutputTokens?: number | null;
  requestsPerMinute?: number | null;
}

/** Largest limit an override may set, in USD (as functions/shared/policy.ts caps it). */
const MAX_LIMIT_IN_USD = 1_000_000;

/** Checks an override before anything is stored (NONE data source): limits are non-negative and bounded. */
export function request(ctx: Context<{ userId: string; input: OverrideInput }>) {
  if (!isSafeId(ctx.args.userId)) invalid('userId', 'must be 1-64 letters, digits, - or _');
  const input = ctx.args.input;
  const usd: [string, number | null | undefined][] = [
    ['dailyLimitUsd', input.dailyLimitUsd],
    ['monthlyLimitUsd', input.monthlyLimitUsd],
  ];
  usd.forEach(([field, value]) => {
    if (value !== null && value !== undefined && (value < 0 || value > MAX_LIMIT_IN_USD)) invalid(field, `must be between 0 and ${MAX_LIMIT_IN_USD}`);
  });
  const counts: [string, number | null | undefined][] = [
    ['maxOutputTokens', input.maxOutputTokens],
    ['requestsPerMinute', input.requestsPerMinute],
  ];
  counts.forEach(([field, value]) => {
    if (value !== null && value !== undefined && value < 1) invalid(field, 'must be at least 1');
  });
  return { payload: input };
}

export function response(ctx: Context) {
  return ctx.result;
}
