import { util, type Context } from '@aws-appsync/utils';
import { policyLimits } from '../lib/policy.js';

const DAY_IN_MS = 24 * 60 * 60 * 1000;

function period(startsAt: string, resetsAt: string, limitUsd: number | null) {
  // Spent and reserved come from the ledger (issue 5); until it is wired here they are 0.
  return { startsAt, resetsAt, spentUsd: 0, reservedUsd: 0, limitUsd, remainingUsd: limitUsd, requests: 0, inputTokens: 0, outputTokens: 0 };
}

/**
 * The caller's day and month: UTC periods, reset times and group limits (NONE data
 * source). The ledger's spent and reserved totals replace the zeros when issue 5 lands.
 */
export function request(ctx: Context) {
  const now = util.time.nowEpochMilliSeconds();
  const dayStart = now - (now % DAY_IN_MS);
  const today = util.time.epochMilliSecondsToISO8601(dayStart);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  const limits = policyLimits(ctx.stash.groups as string[]);
  return {
    payload: {
      day: period(today, util.time.epochMilliSecondsToISO8601(dayStart + DAY_IN_MS), limits ? limits.dailyUsd : null),
      month: period(
        `${today.slice(0, 7)}-01T00:00:00Z`,
        `${nextYear}-${nextMonth < 10 ? '0' : ''}${nextMonth}-01T00:00:00Z`,
        limits ? limits.monthlyUsd : null,
      ),
    },
  };
}

export function response(ctx: Context) {
  return ctx.result;
}
