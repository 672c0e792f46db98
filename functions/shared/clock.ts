/**
 * An injectable clock and the UTC calendar keys budgets are counted under.
 *
 * Budgets reset at UTC midnight (day) and at 00:00 UTC on the 1st (month), whatever the
 * user's or the Lambda's time zone, so that the cloud, the twin and the tests agree.
 */
import { InputError } from './input-error.js';

/** Where code that needs "now" gets it; tests pass a fixed or hand-advanced clock. */
export interface Clock {
  now(): Date;
}

/**
 * The wall clock.
 * @example
 * const now = systemClock.now();
 */
export const systemClock: Clock = { now: () => new Date() };

/** A clock a test moves by hand. */
export interface ManualClock extends Clock {
  set(at: Date | string): void;
  advance(milliseconds: number): void;
}

/**
 * A clock that stands still until told to move (for rollover tests).
 * @example
 * const clock = manualClock('2025-01-31T23:59:00Z');
 * clock.advance(120_000); // now 2025-02-01T00:01:00Z
 */
export function manualClock(start: Date | string): ManualClock {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at);
    },
    advance: (milliseconds) => {
      current = new Date(current.getTime() + milliseconds);
    },
  };
}

/**
 * The UTC day a moment falls in, as `YYYY-MM-DD` (sorts as text, so it keys DynamoDB ranges).
 * @example
 * dayKey(new Date('2025-03-01T23:30:00-05:00')); // '2025-03-02'
 */
export function dayKey(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * The UTC month a moment falls in, as `YYYY-MM`.
 * @example
 * monthKey(new Date('2025-03-31T12:00:00Z')); // '2025-03'
 */
export function monthKey(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/**
 * The UTC minute a moment falls in, as `YYYY-MM-DDTHH:MM` (the request-rate window).
 * @example
 * minuteKey(new Date('2025-03-31T12:34:56Z')); // '2025-03-31T12:34'
 */
export function minuteKey(at: Date): string {
  return at.toISOString().slice(0, 16);
}

/**
 * When the day that contains `at` ends: the next UTC midnight.
 * @example
 * nextDayStart(new Date('2025-12-31T10:00:00Z')).toISOString(); // '2026-01-01T00:00:00.000Z'
 */
export function nextDayStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
}

/**
 * When the month that contains `at` ends: 00:00 UTC on the 1st of the next month.
 * @example
 * nextMonthStart(new Date('2025-12-31T10:00:00Z')).toISOString(); // '2026-01-01T00:00:00.000Z'
 */
export function nextMonthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

/**
 * When the minute that contains `at` ends.
 * @example
 * nextMinuteStart(new Date('2025-01-01T00:00:59.500Z')).toISOString(); // '2025-01-01T00:01:00.000Z'
 */
export function nextMinuteStart(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000 + 60_000);
}

const DAY_KEY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks a `YYYY-MM-DD` date (a report bound) and returns it; throws a RangeError otherwise.
 * @example
 * parseDayKey('2025-02-30'); // throws RangeError: not a calendar day
 */
export function parseDayKey(value: string, field = 'date'): string {
  if (!DAY_KEY_PATTERN.test(value) || dayKey(new Date(`${value}T00:00:00Z`)) !== value) {
    throw new InputError(`${field} must be a calendar day as YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Every day key from `from` to `to`, both included.
 * @example
 * daysBetween('2025-01-30', '2025-02-01'); // ['2025-01-30', '2025-01-31', '2025-02-01']
 */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = new Date(`${from}T00:00:00Z`); dayKey(at) <= to; at = nextDayStart(at)) days.push(dayKey(at));
  return days;
}
