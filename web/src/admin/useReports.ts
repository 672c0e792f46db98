import { useEffect, useState } from 'react';
import { graphql } from '../api/client.js';
import { toApiError } from '../api/errors.js';
import { TOP_USERS, USAGE_REPORT } from '../api/operations.js';
import { UsageGroupBy, type UsageReport, type UserUsage } from '../api/types.js';
import type { DateRange } from './RangePicker.js';

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
  const [reports, setReports] = useState<Reports | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const report = (groupBy: UsageGroupBy) =>
      graphql<{ usageReport: UsageReport }>(USAGE_REPORT, { from, to, groupBy }).then((r) => r.usageReport);
    Promise.all([
      report(UsageGroupBy.DAY),
      report(UsageGroupBy.MODEL),
      report(UsageGroupBy.USER),
      graphql<{ topUsers: UserUsage[] }>(TOP_USERS, { from, to, limit: TOP_USERS_LIMIT }).then((r) => r.topUsers),
    ])
      .then(([byDay, byModel, byUser, topUsers]) => {
        if (!current) return;
        setReports({ byDay, byModel, byUser, topUsers });
        setError(null);
      })
      .catch((err: unknown) => current && setError(toApiError(err).advice))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [from, to, refreshKey]);

  return { reports, error, loading };
}
