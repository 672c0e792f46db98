import type { UsageRow } from '../api/operations.js';
import type { Datum } from './charts.js';
import { datesIn, type DateRange } from './RangePicker.js';

/** Requests and tokens summed over report rows. */
export interface RowTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** Cost per day for every date of the range, so days without spend show as zero. */
export function costPerDay(range: DateRange, rows: UsageRow[]): Datum[] {
  const byDay = new Map(rows.map((r) => [r.day ?? r.key, r.costUsd]));
  return datesIn(range).map((day) => ({ label: day, value: byDay.get(day) ?? 0 }));
}

/** Cost per model, largest first. */
export function costPerModel(rows: UsageRow[]): Datum[] {
  return rows.map((r) => ({ label: r.modelId ?? r.key, value: r.costUsd })).sort((a, b) => b.value - a.value);
}

/** Requests and tokens over all rows (of one grouping, so nothing is counted twice). */
export function sumRows(rows: UsageRow[]): RowTotals {
  return rows.reduce<RowTotals>(
    (acc, r) => ({ requests: acc.requests + r.requests, inputTokens: acc.inputTokens + r.inputTokens, outputTokens: acc.outputTokens + r.outputTokens }),
    { requests: 0, inputTokens: 0, outputTokens: 0 },
  );
}
