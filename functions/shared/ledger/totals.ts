/**
 * Usage totals: the sums the ledger items hold, added up exactly in micro-USD.
 */
import { microsToUsd } from '../pricing.js';

/** Requests, tokens and cost over some set of turns. */
export interface UsageTotals {
  requests: number;
  completedRequests: number;
  cancelledRequests: number;
  failedRequests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  costMicros: number;
  costUsd: number;
  /** Of those, the turns that came in through the OpenAI-compatible API, and their cost. */
  apiRequests: number;
  apiCostMicros: number;
  apiCostUsd: number;
}

const COUNT_FIELDS = [
  'requests',
  'completedRequests',
  'cancelledRequests',
  'failedRequests',
  'inputTokens',
  'outputTokens',
  'cacheReadInputTokens',
  'cacheWriteInputTokens',
  'costMicros',
  'apiRequests',
  'apiCostMicros',
] as const;

/**
 * Totals of nothing.
 * @example
 * emptyTotals().costUsd; // 0
 */
export function emptyTotals(): UsageTotals {
  return { requests: 0, completedRequests: 0, cancelledRequests: 0, failedRequests: 0, inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, costMicros: 0, costUsd: 0, apiRequests: 0, apiCostMicros: 0, apiCostUsd: 0 };
}

/**
 * Adds a ledger item (or other totals) into `into`, in place, and returns it.
 * @example
 * const total = items.reduce(addTotals, emptyTotals());
 */
export function addTotals<T extends UsageTotals>(into: T, item: Record<string, unknown> | UsageTotals): T {
  for (const field of COUNT_FIELDS) {
    const value = (item as Record<string, unknown>)[field];
    if (typeof value === 'number') into[field] += value;
  }
  into.costUsd = microsToUsd(into.costMicros);
  into.apiCostUsd = microsToUsd(into.apiCostMicros);
  return into;
}
