import { useState } from 'react';
import type { UsageRow } from '../api/operations.js';
import { formatTokens, formatUsd } from '../format.js';
import { Link } from '../ui/Link.js';
import { BarChart, ColumnChart } from './charts.js';
import { AuditLogPanel } from './AuditLogPanel.js';
import { downloadText, usageCsv } from './csv.js';
import { LiveMetricsPanel } from './LiveMetricsPanel.js';
import { lastDays, RangePicker, type DateRange } from './RangePicker.js';
import { costPerDay, costPerModel, sumRows } from './report-data.js';
import { RowTotalsStats } from './RowTotalsStats.js';
import { useReports } from './useReports.js';

const DEFAULT_RANGE_IN_DAYS = 7;

/** The admin cost dashboard: spend per day, per model and per user over a range; live metrics; CSV. */
export function AdminPage() {
  const [range, setRange] = useState<DateRange>(() => lastDays(DEFAULT_RANGE_IN_DAYS));
  const [refreshKey, setRefreshKey] = useState(0);
  const { reports, error, loading } = useReports(range, refreshKey);

  const perDay = reports ? costPerDay(range, reports.byDay.rows) : [];
  const perModel = reports ? costPerModel(reports.byModel.rows) : [];
  const top = reports ? reports.topUsers.map((u) => ({ label: u.email ?? u.userId, value: u.costUsd })) : [];
  const totals = reports ? sumRows(reports.byUser.rows) : undefined;

  return (
    <div className="admin" aria-busy={loading}>
      <header className="admin-header">
        <h1>Cost dashboard</h1>
        <RangePicker value={range} onChange={setRange} />
        <button type="button" className="secondary" onClick={() => setRefreshKey((k) => k + 1)}>
          Refresh
        </button>
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {reports && totals && (
        <>
          <section className="summary" aria-label="Totals">
            <div className="stat" data-testid="total-cost" data-cost-usd={reports.byUser.totalUsd}>
              <span className="muted">Total cost</span>
              <strong>{formatUsd(reports.byUser.totalUsd)}</strong>
            </div>
            <RowTotalsStats totals={totals} />
          </section>
          <div className="charts">
            <ColumnChart title="Cost per day" data={perDay} format={formatUsd} />
            <BarChart title="Cost per model" data={perModel} format={formatUsd} />
            <BarChart title="Top users" data={top} format={formatUsd} />
          </div>
          <section className="card" aria-labelledby="users-title">
            <div className="section-header">
              <h2 id="users-title">Users</h2>
              <div className="exports" role="group" aria-label="Export CSV">
                <button type="button" className="secondary" onClick={() => exportCsv('users', range, reports.byUser.rows)}>
                  Export users CSV
                </button>
                <button type="button" className="secondary" onClick={() => exportCsv('models', range, reports.byModel.rows)}>
                  Export models CSV
                </button>
                <button type="button" className="secondary" onClick={() => exportCsv('days', range, reports.byDay.rows)}>
                  Export days CSV
                </button>
              </div>
            </div>
            <UsersTable rows={reports.byUser.rows} />
          </section>
        </>
      )}
      <AuditLogPanel refreshKey={refreshKey} />
      <LiveMetricsPanel />
    </div>
  );
}

function UsersTable({ rows }: { rows: UsageRow[] }) {
  if (rows.length === 0) return <p className="muted">No spend in this range.</p>;
  const sorted = [...rows].sort((a, b) => b.costUsd - a.costUsd);
  return (
    <div className="table-scroll">
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Requests</th>
            <th scope="col">Tokens in</th>
            <th scope="col">Tokens out</th>
            <th scope="col">Cost</th>
            <th scope="col">of which via API</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => {
            const userId = r.userId ?? r.key;
            return (
              <tr key={r.key} data-testid="user-row" data-user-id={userId} data-email={r.email ?? ''} data-cost-usd={r.costUsd}>
                <th scope="row">
                  <Link href={`/admin/users/${encodeURIComponent(userId)}`}>{r.email ?? userId}</Link>
                </th>
                <td>{formatTokens(r.requests)}</td>
                <td>{formatTokens(r.inputTokens)}</td>
                <td>{formatTokens(r.outputTokens)}</td>
                <td>{formatUsd(r.costUsd)}</td>
                <td data-testid="api-cost" data-api-cost-usd={r.apiCostUsd}>
                  {formatUsd(r.apiCostUsd)} ({formatTokens(r.apiRequests)} req.)
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function exportCsv(kind: string, range: DateRange, rows: UsageRow[]) {
  downloadText(`sluice-usage-${kind}-${range.from}-to-${range.to}.csv`, usageCsv(rows));
}
