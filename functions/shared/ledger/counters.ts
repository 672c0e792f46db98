/**
 * Where a user stands in a day and a month, from their budget item (./budget-item.ts).
 *
 * Each period keeps `used` = spent + reserved in one attribute because a DynamoDB
 * condition cannot add: admission checks `used <= limit - worstCase`, with the subtraction
 * done before the write. Reserved is `used - spent`.
 */
import { monthKey, dayKey, nextDayStart, nextMonthStart } from '../clock.js';
import { microsToUsd } from '../pricing.js';
import { budgetAttr, numberAttr, readBudgetItem } from './budget-item.js';
import type { BudgetPeriodStatus } from './errors.js';
import type { LedgerDeps } from './tables.js';

/** A period's numbers (absent attributes read as 0). */
export interface CounterValues {
  usedMicros: number;
  spentMicros: number;
  reservedMicros: number;
  requests: number;
}

/**
 * A period's status for display and for BudgetExceeded.
 * @example
 * periodStatus('day', '2025-01-15', 2_000_000, counters.day, new Date('2025-01-16T00:00:00Z'));
 */
export function periodStatus(scope: 'day' | 'month', period: string, limitMicros: number, values: CounterValues, resetsAt: Date): BudgetPeriodStatus {
  return {
    scope,
    period,
    limitUsd: microsToUsd(limitMicros),
    spentUsd: microsToUsd(values.spentMicros),
    reservedUsd: microsToUsd(values.reservedMicros),
    remainingUsd: microsToUsd(Math.max(0, limitMicros - values.usedMicros)),
    resetsAt: resetsAt.toISOString(),
  };
}

export interface Counters {
  day: CounterValues;
  month: CounterValues;
  dayKey: string;
  monthKey: string;
  dayResetsAt: Date;
  monthResetsAt: Date;
  /** The budget item they were read from. */
  item: Record<string, unknown> | undefined;
}

/** The day and month of `now` in a budget item. */
export function countersOf(item: Record<string, unknown> | undefined, now: Date): Counters {
  const day = dayKey(now);
  const month = monthKey(now);
  const values = (used: string, spent: string, requests: string): CounterValues => {
    const usedMicros = numberAttr(item, used);
    const spentMicros = numberAttr(item, spent);
    return { usedMicros, spentMicros, reservedMicros: usedMicros - spentMicros, requests: numberAttr(item, requests) };
  };
  return {
    day: values(budgetAttr.dayUsed(day), budgetAttr.daySpent(day), budgetAttr.dayRequests(day)),
    month: values(budgetAttr.monthUsed(month), budgetAttr.monthSpent(month), budgetAttr.monthRequests(month)),
    dayKey: day,
    monthKey: month,
    dayResetsAt: nextDayStart(now),
    monthResetsAt: nextMonthStart(now),
    item,
  };
}

/**
 * Reads a user's day and month for `now` (strongly consistent, one GetItem).
 * @example
 * const { day, month } = await readCounters(deps, 'user-1', new Date());
 */
export async function readCounters(deps: LedgerDeps, userId: string, now: Date): Promise<Counters> {
  return countersOf(await readBudgetItem(deps, userId), now);
}
