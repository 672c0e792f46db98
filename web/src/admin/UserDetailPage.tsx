import { useState } from 'react';
import { formatUsd } from '../format.js';
import { Link } from '../ui/Link.js';
import { AuditLogPanel } from './AuditLogPanel.js';
import { BudgetForm } from './BudgetForm.js';
import { BarChart, ColumnChart } from './charts.js';
import { lastDays, RangePicker, type DateRange } from './RangePicker.js';
import { costPerDay, costPerModel, sumRows } from './report-data.js';
import { RowTotalsStats } from './RowTotalsStats.js';
import { useUserReports } from './useUserReports.js';

const DEFAULT_RANGE_IN_DAYS = 30;

/** One user's drill-down: their spend per day and per model over a range, their budget override and its history. */
export function UserDetailPage({ userId }: { userId: string }) {
  const [range, setRange] = useState<DateRange>(() => lastDays(DEFAULT_RANGE_IN_DAYS));
  const [auditKey, setAuditKey] = useState(0);
  const { reports, error, loading } = useUserReports(userId, range);
  const totals = reports ? sumRows(reports.byModel.rows) : undefined;
  const email = reports?.email;

  return (
    <div className="admin" aria-busy={loading}>
      <p>
        <Link href="/admin">← Cost dashboard</Link>
      </p>
      <header className="admin-header">
        <div className="user-title">
          <h1 data-testid="user-email">{email ?? (reports ? 'User without spend in this range' : 'User')}</h1>
          <p className="muted small">
            User id <code className="break">{userId}</code>
          </p>
        </div>
        <RangePicker value={range} onChange={setRange} />
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {reports && totals && (
        <>
          <section className="summary" aria-label="Spend in range" data-testid="user-summary" data-cost-usd={reports.byModel.totalUsd}>
            <div className="stat">
              <span className="muted">Cost</span>
              <strong>{formatUsd(reports.byModel.totalUsd)}</strong>
            </div>
            <RowTotalsStats totals={totals} />
          </section>
          <div className="charts">
            <ColumnChart title="Cost per day" data={costPerDay(range, reports.byDay.rows)} format={formatUsd} />
            <BarChart title="Cost per model" data={costPerModel(reports.byModel.rows)} format={formatUsd} />
          </div>
        </>
      )}
      <BudgetForm userId={userId} onChanged={() => setAuditKey((k) => k + 1)} />
      <AuditLogPanel userId={userId} refreshKey={auditKey} title="Override history" />
    </div>
  );
}
