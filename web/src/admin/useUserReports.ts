import { useEffect, useState } from 'react';
import { graphql } from '../api/client.js';
import { toApiError } from '../api/errors.js';
import { USAGE_REPORT } from '../api/operations.js';
import { UsageGroupBy, type UsageReport } from '../api/types.js';
import type { DateRange } from './RangePicker.js';

/** One user's spend over a range, by day and by model. */
export interface UserReports {
  byDay: UsageReport;
  byModel: UsageReport;
  /** The user's email from the report rows; null when they spent nothing in the range. */
  email: string | null;
}

/** The drill-down's reports for one user (`usageReport` with `userId`); refetched when the range or user changes. */
export function useUserReports(userId: string, { from, to }: DateRange, refreshKey = 0) {
  const [reports, setReports] = useState<UserReports | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const report = (groupBy: UsageGroupBy) =>
      graphql<{ usageReport: UsageReport }>(USAGE_REPORT, { from, to, groupBy, userId }).then((r) => r.usageReport);
    Promise.all([report(UsageGroupBy.DAY), report(UsageGroupBy.MODEL)])
      .then(([byDay, byModel]) => {
        if (!current) return;
        const email = [...byDay.rows, ...byModel.rows].find((r) => r.email)?.email ?? null;
        setReports({ byDay, byModel, email });
        setError(null);
      })
      .catch((err: unknown) => current && setError(toApiError(err).advice))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [userId, from, to, refreshKey]);

  return { reports, error, loading };
}
