import { useState } from 'react';
import { formatTokens, formatUsd } from '../format.js';
import { Link } from '../ui/Link.js';
import { BudgetForm } from './BudgetForm.js';
import { lastDays, RangePicker, type DateRange } from './RangePicker.js';
import { useReports } from './useReports.js';

/** One user's spend over a range, and their budget override. */
export function UserDetailPage({ userId }: { userId: string }) {
  const [range, setRange] = useState<DateRange>(() => lastDays(30));
  const { reports, error } = useReports(range);
  const row = reports?.byUser.rows.find((r) => (r.userId ?? r.key) === userId);

  return (
    <div className="admin">
      <p>
        <Link href="/admin">← Cost dashboard</Link>
      </p>
      <h1>{row?.email ?? userId}</h1>
      <p className="muted small">User id {userId}</p>
      <RangePicker value={range} onChange={setRange} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {reports && (
        <section className="summary" aria-label="Spend in range" data-testid="user-summary" data-cost-usd={row?.costUsd ?? 0}>
          <div className="stat">
            <span className="muted">Cost</span>
            <strong>{formatUsd(row?.costUsd ?? 0)}</strong>
          </div>
          <div className="stat">
            <span className="muted">Requests</span>
            <strong>{formatTokens(row?.requests ?? 0)}</strong>
          </div>
          <div className="stat">
            <span className="muted">Tokens in / out</span>
            <strong>
              {formatTokens(row?.inputTokens ?? 0)} / {formatTokens(row?.outputTokens ?? 0)}
            </strong>
          </div>
          <div className="stat">
            <span className="muted">Share of all spend</span>
            <strong>{reports.byUser.totalUsd > 0 ? `${(((row?.costUsd ?? 0) / reports.byUser.totalUsd) * 100).toFixed(1)}%` : '—'}</strong>
          </div>
        </section>
      )}
      <BudgetForm userId={userId} />
    </div>
  );
}
