/**
 * The headers OpenAI's clients read to pace themselves (`x-ratelimit-*`), plus the budget
 * left today, from the user's budget item and effective policy (two reads, run beside
 * admission so they add no round trip).
 */
import { dayKey, minuteKey, nextMinuteStart } from '../shared/clock.js';
import { budgetAttr, readBudgetItem, resolvePolicy, type LedgerDeps } from '../shared/ledger/index.js';
import { microsToUsd, usdToMicros } from '../shared/pricing.js';

export interface LimitSnapshot {
  requestsPerMinute: number;
  requestsThisMinute: number;
  dayLimitMicros: number;
  dayUsedMicros: number;
  at: Date;
}

export async function limitSnapshot(ledger: LedgerDeps, caller: { sub: string; groups: string[] }, at: Date): Promise<LimitSnapshot> {
  const [policy, item] = await Promise.all([resolvePolicy(ledger, caller.sub, caller.groups, at), readBudgetItem(ledger, caller.sub)]);
  const count = (name: string) => Number((item as Record<string, unknown> | undefined)?.[name] ?? 0);
  return {
    requestsPerMinute: policy.requestsPerMinute,
    requestsThisMinute: count(budgetAttr.minute(minuteKey(at))),
    dayLimitMicros: usdToMicros(policy.dailyLimitUsd),
    dayUsedMicros: count(budgetAttr.dayUsed(dayKey(at))),
    at,
  };
}

/**
 * @param admitted what this request added after the snapshot was read (one request, its reserve)
 * @example
 * headers(snapshot, { requests: 1, micros: reservedMicros });
 */
export function rateLimitHeaders(snapshot: LimitSnapshot, admitted: { requests: number; micros: number }): Record<string, string> {
  const resetSeconds = Math.max(0, (nextMinuteStart(snapshot.at).getTime() - snapshot.at.getTime()) / 1000);
  const remainingMicros = Math.max(0, snapshot.dayLimitMicros - snapshot.dayUsedMicros - admitted.micros);
  return {
    'x-ratelimit-limit-requests': String(snapshot.requestsPerMinute),
    'x-ratelimit-remaining-requests': String(Math.max(0, snapshot.requestsPerMinute - snapshot.requestsThisMinute - admitted.requests)),
    'x-ratelimit-reset-requests': `${resetSeconds.toFixed(3).replace(/\.?0+$/, '')}s`,
    'x-sluice-budget-limit-usd': String(microsToUsd(snapshot.dayLimitMicros)),
    'x-sluice-budget-remaining-usd': String(microsToUsd(remainingMicros)),
  };
}
