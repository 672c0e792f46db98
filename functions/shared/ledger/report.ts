/**
 * Admin reports over every user: usage by user, by model or by day over a range of UTC
 * days, and the top users by cost. They read the ledger's by-day index, one query per day,
 * and add up in micro-USD.
 */
import { daysBetween, parseDayKey } from '../clock.js';
import { queryItems } from './query-pages.js';
import { LEDGER_BY_DAY_INDEX, type LedgerDeps } from './tables.js';
import { addTotals, emptyTotals, type UsageTotals } from './totals.js';
import { getUserTotals, toLedgerRow, type LedgerRow } from './usage.js';
import { InputError } from '../input-error.js';

/** How a report groups rows. */
export const ReportGroupBy = { user: 'user', model: 'model', day: 'day' } as const;
export type ReportGroupBy = (typeof ReportGroupBy)[keyof typeof ReportGroupBy];

/** The longest range one report covers (a leap year). */
export const MAX_REPORT_RANGE_IN_DAYS = 366;
/** Day queries in flight at once. */
const REPORT_QUERY_CONCURRENCY = 8;

export interface UsageReportRow extends UsageTotals {
  /** The user id, model id or day the row sums. */
  key: string;
}

export interface UsageReport {
  from: string;
  to: string;
  groupBy: ReportGroupBy;
  /** The one user the report covers, when it was asked for one. */
  userId?: string;
  /** Sorted by cost, highest first (by day: chronological). */
  rows: UsageReportRow[];
  total: UsageTotals;
}

/**
 * Usage from `from` to `to` (UTC days, inclusive) grouped by user, model or day; of every
 * user, or of `userId` only (the admin's drill-down: that user's partition, read
 * consistently, instead of the by-day index).
 * @example
 * const report = await usageReport(deps, { from: '2025-01-01', to: '2025-01-31', groupBy: 'model' });
 * const one = await usageReport(deps, { from: '2025-01-01', to: '2025-01-31', groupBy: 'day', userId: 'user-1' });
 */
export async function usageReport(deps: LedgerDeps, input: { from: string; to: string; groupBy: ReportGroupBy; userId?: string }): Promise<UsageReport> {
  if (!Object.hasOwn(ReportGroupBy, input.groupBy)) throw new InputError(`groupBy must be user, model or day, got ${JSON.stringify(input.groupBy)}`);
  const rows = input.userId === undefined ? await ledgerRows(deps, input.from, input.to) : await userRows(deps, input.userId, input.from, input.to);
  const groups = new Map<string, UsageReportRow>();
  const keyOf = (row: LedgerRow) => (input.groupBy === 'user' ? row.userId : input.groupBy === 'model' ? row.modelId : row.day);
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key) ?? { key, ...emptyTotals() };
    groups.set(key, addTotals(group, row));
  }
  const sorted = [...groups.values()].sort(
    input.groupBy === 'day' ? (a, b) => a.key.localeCompare(b.key) : (a, b) => b.costMicros - a.costMicros || a.key.localeCompare(b.key),
  );
  return {
    from: input.from,
    to: input.to,
    groupBy: input.groupBy,
    ...(input.userId === undefined ? {} : { userId: input.userId }),
    rows: sorted,
    total: rows.reduce(addTotals, emptyTotals()),
  };
}

/**
 * The `limit` users who cost the most from `from` to `to`.
 * @example
 * const top = await topUsers(deps, { from: '2025-01-01', to: '2025-01-31', limit: 10 });
 */
export async function topUsers(deps: LedgerDeps, input: { from: string; to: string; limit: number }): Promise<UsageReportRow[]> {
  if (!Number.isSafeInteger(input.limit) || input.limit < 1) throw new InputError(`limit must be a whole number ≥ 1, got ${input.limit}`);
  const report = await usageReport(deps, { from: input.from, to: input.to, groupBy: 'user' });
  return report.rows.slice(0, input.limit);
}

/** One user's ledger rows, with the same range rules as {@link ledgerRows}. */
async function userRows(deps: LedgerDeps, userId: string, from: string, to: string): Promise<LedgerRow[]> {
  checkRange(from, to);
  return (await getUserTotals(deps, { userId, from, to })).rows;
}

function checkRange(fromInput: string, toInput: string): string[] {
  const from = parseDayKey(fromInput, 'from');
  const to = parseDayKey(toInput, 'to');
  if (from > to) throw new InputError(`from (${from}) is after to (${to})`);
  const days = daysBetween(from, to);
  if (days.length > MAX_REPORT_RANGE_IN_DAYS) throw new InputError(`a report covers at most ${MAX_REPORT_RANGE_IN_DAYS} days, asked for ${days.length}`);
  return days;
}

/**
 * Every ledger row of every user from `from` to `to`.
 * @example
 * const rows = await ledgerRows(deps, '2025-01-01', '2025-01-07');
 */
export async function ledgerRows(deps: LedgerDeps, fromInput: string, toInput: string): Promise<LedgerRow[]> {
  const days = checkRange(fromInput, toInput);
  const rows: LedgerRow[] = [];
  const queue = [...days];
  const worker = async () => {
    for (let day = queue.shift(); day !== undefined; day = queue.shift()) rows.push(...(await dayRows(deps, day)));
  };
  await Promise.all(Array.from({ length: Math.min(REPORT_QUERY_CONCURRENCY, days.length) }, worker));
  return rows;
}

async function dayRows(deps: LedgerDeps, day: string): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  const items = queryItems(deps, {
    TableName: deps.tables.ledger,
    IndexName: LEDGER_BY_DAY_INDEX,
    KeyConditionExpression: '#day = :day',
    ExpressionAttributeNames: { '#day': 'day' },
    ExpressionAttributeValues: { ':day': day },
  });
  for await (const item of items) rows.push(toLedgerRow(item));
  return rows;
}
