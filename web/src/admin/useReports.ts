import { graphql } from '../api/client.js';
import { required } from '../api/errors.js';
import { TOP_USERS, USAGE_REPORT, type UsageGroupBy, type UsageReport, type UserUsage } from '../api/operations.js';
import type { DateRange } from './RangePicker.js';
import { useLoaded } from './useLoaded.js';

/** How many users the "top users" chart shows. */
export const TOP_USERS_LIMIT = 10;

export interface Reports {
  byDay: UsageReport;
  byModel: UsageReport;
  byUser: UsageReport;
  topUsers: UserUsage[];
}

/** The dashboard's reports for a range; refetched when the range or `refreshKey` changes. */
export function useReports({ from, to }: DateRange, refreshKey = 0) {
  const { data: reports, error, loading } = useLoaded(async (): Promise<Reports> => {
    const report = (groupBy: UsageGroupBy) =>
      graphql(USAGE_REPORT, { from, to, groupBy }).then((r) => required(r.usageReport, 'usageReport'));
    const [byDay, byModel, byUser, topUsers] = await Promise.all([
      report('DAY'),
      report('MODEL'),
      report('USER'),
      graphql(TOP_USERS, { from, to, limit: TOP_USERS_LIMIT }).then((r) => required(r.topUsers, 'topUsers')),
    ]);
    return { byDay, byModel, byUser, topUsers };
  }, [from, to, refreshKey]);

  return { reports, error, loading };
}
