import { graphql } from '../api/client.js';
import { required } from '../api/errors.js';
import { USAGE_REPORT, type UsageGroupBy, type UsageReport } from '../api/operations.js';
import type { DateRange } from './RangePicker.js';
import { useLoaded } from './useLoaded.js';

/** One user's spend over a range, by day and by model. */
export interface UserReports {
  byDay: UsageReport;
  byModel: UsageReport;
  /** The user's email from the report rows; null when they spent nothing in the range. */
  email: string | null;
}

/** The drill-down's reports for one user (`usageReport` with `userId`); refetched when the range or user changes. */
export function useUserReports(userId: string, { from, to }: DateRange, refreshKey = 0) {
  const { data: reports, error, loading } = useLoaded(async (): Promise<UserReports> => {
    const report = (groupBy: UsageGroupBy) =>
      graphql(USAGE_REPORT, { from, to, groupBy, userId }).then((r) => required(r.usageReport, 'usageReport'));
    const [byDay, byModel] = await Promise.all([report('DAY'), report('MODEL')]);
    const email = [...byDay.rows, ...byModel.rows].find((r) => r.email)?.email ?? null;
    return { byDay, byModel, email };
  }, [userId, from, to, refreshKey]);

  return { reports, error, loading };
}
