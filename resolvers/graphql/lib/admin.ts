import { util } from '@aws-appsync/utils';
import { cognitoCaller } from './caller.js';
import { invalid } from './validation.js';

/** Longest report range: a year and a day (a leap year's days). */
export const MAX_REPORT_DAYS = 366;
const DAY_IN_MS = 24 * 60 * 60 * 1000;

/**
 * The admin acting. The schema already limits admin fields to the `admins` group; this
 * second check keeps a resolver safe if someone copies it onto an open field.
 */
export function adminCaller(identity: unknown): string {
  const caller = cognitoCaller(identity);
  if (!caller.groups.includes('admins')) util.unauthorized();
  return caller.username;
}

/** Checks a UTC date range (AWSDate values): from ≤ to, at most MAX_REPORT_DAYS days. */
export function checkDateRange(from: string, to: string): { from: string; to: string } {
  const start = util.time.parseISO8601ToEpochMilliSeconds(`${from.slice(0, 10)}T00:00:00Z`);
  const end = util.time.parseISO8601ToEpochMilliSeconds(`${to.slice(0, 10)}T00:00:00Z`);
  if (end < start) invalid('to', 'must not be before from');
  if ((end - start) / DAY_IN_MS + 1 > MAX_REPORT_DAYS) invalid('to', `the range may span at most ${MAX_REPORT_DAYS} days`);
  return { from: from.slice(0, 10), to: to.slice(0, 10) };
}
