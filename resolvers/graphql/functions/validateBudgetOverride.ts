import { util, type Context } from '@aws-appsync/utils';
import { invalid, isSafeId } from '../lib/validation.js';

interface OverrideInput {
  dailyLimitUsd?: number | null;
  monthlyLimitUsd?: number | null;
  maxOutputTokens?: number | null;
  requestsPerMinute?: number | null;
  expiresAt?: string | null;
  reason?: string | null;
}

/** Largest limit an override may set, in USD (as functions/shared/policy.ts caps it). */
const MAX_LIMIT_IN_USD = 1_000_000;
/** Longest reason, in characters (functions/shared/policy.ts MAX_OVERRIDE_REASON_LENGTH). */
const MAX_REASON_LENGTH = 500;

/**
 * Checks an override before anything is stored (NONE data source): limits are
 * non-negative and bounded, `expiresAt` is in the future and `reason` at most 500
 * characters. The gateway API checks all of it again, and stores every field it accepts.
 */
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
  if (input.expiresAt !== null && input.expiresAt !== undefined) {
    // AWSDateTime has already been checked as a timestamp; an override that expires at once would be lost on arrival.
    if (util.time.parseISO8601ToEpochMilliSeconds(input.expiresAt) <= util.time.nowEpochMilliSeconds()) invalid('expiresAt', 'must be in the future');
  }
  if (input.reason !== null && input.reason !== undefined && input.reason.length > MAX_REASON_LENGTH) {
    invalid('reason', `must be at most ${MAX_REASON_LENGTH} characters`);
  }
  return { payload: input };
}

export function response(ctx: Context) {
  return ctx.result;
}
