import { formatTokens } from '../format.js';
import type { RowTotals } from './report-data.js';

/** The request and token counts of a spend summary, shared by the dashboard and the user drill-down. */
export function RowTotalsStats({ totals }: { totals: RowTotals }) {
  return (
    <>
      <div className="stat">
        <span className="muted">Requests</span>
        <strong>{formatTokens(totals.requests)}</strong>
      </div>
      <div className="stat">
        <span className="muted">Tokens in / out</span>
        <strong>
          {formatTokens(totals.inputTokens)} / {formatTokens(totals.outputTokens)}
        </strong>
      </div>
    </>
  );
}
