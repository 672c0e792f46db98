import { useEffect, useState } from 'react';
import { graphql } from '../api/client.js';
import { toApiError } from '../api/errors.js';
import { LIVE_METRICS, type LiveMetrics, type MetricSeries } from '../api/operations.js';
import { Sparkline } from './charts.js';

/** How often the live metrics refresh. */
export const LIVE_METRICS_REFRESH_IN_MS = 5_000;
/** The window the panel shows. */
export const LIVE_METRICS_WINDOW_IN_MINUTES = 60;

/** The gateway's recent metric series (the EMF the functions emit), refreshed every few seconds. */
export function LiveMetricsPanel() {
  const [metrics, setMetrics] = useState<LiveMetrics | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const load = () =>
      graphql(LIVE_METRICS, { windowMinutes: LIVE_METRICS_WINDOW_IN_MINUTES })
        .then(({ liveMetrics }) => current && (setMetrics(liveMetrics), setError(null)))
        .catch((err: unknown) => current && setError(toApiError(err).advice));
    void load();
    const timer = setInterval(load, LIVE_METRICS_REFRESH_IN_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <section className="card" aria-labelledby="live-title">
      <h2 id="live-title">Live metrics (last {LIVE_METRICS_WINDOW_IN_MINUTES} min)</h2>
      {error && <p className="error">{error}</p>}
      {metrics && metrics.series.length === 0 && <p className="muted">No metrics in this window yet.</p>}
      {metrics && metrics.series.length > 0 && (
        <div className="table-scroll">
          <table className="metrics-table">
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Dimensions</th>
                <th scope="col">Total</th>
                <th scope="col">Trend</th>
              </tr>
            </thead>
            <tbody>
              {metrics.series.map((s, i) => (
                <tr key={`${s.name}-${i}`} data-metric={s.name}>
                  <th scope="row">
                    {s.name} <span className="muted small">{s.unit}</span>
                  </th>
                  <td className="small">{dimensionsText(s)}</td>
                  <td>{formatTotal(s)}</td>
                  <td>
                    <Sparkline label={`${s.name} over time`} values={s.points.map((p) => p.value)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function dimensionsText(series: MetricSeries): string {
  let dims: Record<string, unknown> | null;
  try {
    dims = typeof series.dimensions === 'string' ? (JSON.parse(series.dimensions) as Record<string, unknown>) : series.dimensions;
  } catch {
    return String(series.dimensions);
  }
  return dims ? Object.entries(dims).map(([k, v]) => `${k}=${v}`).join(', ') : '';
}

function formatTotal(series: MetricSeries): string {
  const total = series.points.reduce((sum, p) => sum + p.value, 0);
  // Latencies add up to nothing meaningful; show their average instead.
  if (series.unit === 'Milliseconds' && series.points.length > 0) return `${Math.round(total / series.points.length)} ms avg`;
  return Number.isInteger(total) ? total.toLocaleString('en-US') : total.toFixed(6);
}
