/**
 * The per-user budget counters (day and month) and how to read where a user stands.
 *
 * Each counter keeps `usedMicros` = spent + reserved in one attribute because a DynamoDB
 * condition cannot add: admission checks `usedMicros <= limit - worstCase`, with the
 * subtraction done before the write.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { monthKey, dayKey, nextDayStart, nextMonthStart } from '../clock.js';
import { microsToUsd } from '../pricing.js';
import type { BudgetPeriodStatus } from './errors.js';
import { keys, type LedgerDeps } from './tables.js';

/** A counter item's numbers (absent attributes read as 0). */
export interface CounterValues {
  usedMicros: number;
  spentMicros: number;
  reservedMicros: number;
  requests: number;
}

/** The numbers of a counter item, or zeros for a missing one. */
export function counterValues(item: Record<string, unknown> | undefined): CounterValues {
  const number = (name: string) => (typeof item?.[name] === 'number' ? (item[name] as number) : 0);
  return { usedMicros: number('usedMicros'), spentMicros: number('spentMicros'), reservedMicros: number('reservedMicros'), requests: number('requests') };
}

/**
 * A period's status for display and for BudgetExceeded.
 * @example
 * periodStatus('day', '2025-01-15', 2_000_000, counterValues(item), new Date('2025-01-16T00:00:00Z'));
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

/**
 * Reads a user's day and month counters for `now` (strongly consistent).
 * @example
 * const { day, month } = await readCounters(deps, 'user-1', new Date());
 */
export async function readCounters(deps: LedgerDeps, userId: string, now: Date): Promise<{ day: CounterValues; month: CounterValues; dayKey: string; monthKey: string; dayResetsAt: Date; monthResetsAt: Date }> {
  const day = dayKey(now);
  const month = monthKey(now);
  const pk = keys.user(userId);
  const get = (sk: string) => deps.db.send(new GetCommand({ TableName: deps.tables.budgets, Key: { pk, sk }, ConsistentRead: true }));
  const [dayItem, monthItem] = await Promise.all([get(keys.day(day)), get(keys.month(month))]);
  return {
    day: counterValues(dayItem.Item),
    month: counterValues(monthItem.Item),
    dayKey: day,
    monthKey: month,
    dayResetsAt: nextDayStart(now),
    monthResetsAt: nextMonthStart(now),
  };
}
