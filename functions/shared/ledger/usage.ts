/**
 * A user's own view: where their budgets stand now (`myUsage`) and their ledger totals
 * over a range of days. Both read only that user's partition.
 */
import { nextMinuteStart, parseDayKey } from '../clock.js';
import { usdToMicros } from '../pricing.js';
import type { EffectivePolicy } from '../policy.js';
import { periodStatus, readCounters } from './counters.js';
import { queryItems } from './query-pages.js';
import type { BudgetPeriodStatus } from './errors.js';
import { checkId, keys, nowFrom, type LedgerDeps } from './tables.js';
import { addTotals, emptyTotals, type UsageTotals } from './totals.js';
import { InputError } from '../input-error.js';

/** What `myUsage` shows. */
export interface UserUsage {
  userId: string;
  group: string;
  overridden: boolean;
  day: BudgetPeriodStatus & { requests: number };
  month: BudgetPeriodStatus & { requests: number };
  requestsPerMinute: number;
  maxOutputTokens: number;
  allowedModels: string[];
  /** When the request-rate window restarts. */
  rateWindowResetsAt: string;
}

/**
 * Spent, reserved, limits and reset times for one user now.
 * @example
 * const usage = await getUserUsage(deps, { userId: identity.sub, policy: await resolvePolicy(deps, identity.sub, groups) });
 */
export async function getUserUsage(deps: LedgerDeps, input: { userId: string; policy: EffectivePolicy; now?: Date }): Promise<UserUsage> {
  checkId(input.userId, 'userId');
  const now = nowFrom(deps, input.now);
  const counters = await readCounters(deps, input.userId, now);
  const { policy } = input;
  return {
    userId: input.userId,
    group: policy.group,
    overridden: policy.overridden,
    day: { ...periodStatus('day', counters.dayKey, usdToMicros(policy.dailyLimitUsd), counters.day, counters.dayResetsAt), requests: counters.day.requests },
    month: { ...periodStatus('month', counters.monthKey, usdToMicros(policy.monthlyLimitUsd), counters.month, counters.monthResetsAt), requests: counters.month.requests },
    requestsPerMinute: policy.requestsPerMinute,
    maxOutputTokens: policy.maxOutputTokens,
    allowedModels: [...policy.allowedModels],
    rateWindowResetsAt: nextMinuteStart(now).toISOString(),
  };
}

/** One ledger item: a user's totals for one model on one UTC day. */
export interface LedgerRow extends UsageTotals {
  userId: string;
  modelId: string;
  day: string;
}

/**
 * A user's ledger rows (per day and model) from `from` to `to` (UTC days, inclusive) and
 * their sum.
 * @example
 * const { total } = await getUserTotals(deps, { userId, from: '2025-01-01', to: '2025-01-31' });
 */
export async function getUserTotals(deps: LedgerDeps, input: { userId: string; from: string; to: string }): Promise<{ rows: LedgerRow[]; total: UsageTotals }> {
  checkId(input.userId, 'userId');
  const from = parseDayKey(input.from, 'from');
  const to = parseDayKey(input.to, 'to');
  if (from > to) throw new InputError(`from (${from}) is after to (${to})`);
  const rows: LedgerRow[] = [];
  const items = queryItems(deps, {
    TableName: deps.tables.ledger,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    // '#' sorts before every model id character, '~' after: the range covers every model of `to`.
    ExpressionAttributeValues: { ':pk': keys.user(input.userId), ':from': `${keys.day(from)}#`, ':to': `${keys.day(to)}#~` },
  });
  for await (const item of items) rows.push(toLedgerRow(item));
  return { rows, total: rows.reduce(addTotals, emptyTotals()) };
}

/** A ledger item as a row. */
export function toLedgerRow(item: Record<string, unknown>): LedgerRow {
  return { ...addTotals(emptyTotals(), item), userId: String(item.userId), modelId: String(item.modelId), day: String(item.day) };
}
