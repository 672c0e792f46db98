/** Small SVG charts for the dashboard: no chart library, each with a table for screen readers. */

export interface Datum {
  label: string;
  value: number;
}

export interface ChartProps {
  title: string;
  data: Datum[];
  format(value: number): string;
}

const BAR_HEIGHT_IN_PX = 22;
const BAR_GAP_IN_PX = 6;
const LABEL_WIDTH_IN_PX = 160;
const CHART_WIDTH_IN_PX = 480;

/** Horizontal bars, largest first (cost per model, top users). */
export function BarChart({ title, data, format }: ChartProps) {
  const max = Math.max(0, ...data.map((d) => d.value));
  const height = Math.max(1, data.length) * (BAR_HEIGHT_IN_PX + BAR_GAP_IN_PX);
  const barSpace = CHART_WIDTH_IN_PX - LABEL_WIDTH_IN_PX - 90;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {data.length === 0 ? (
        <p className="muted">No spend in this range.</p>
      ) : (
        <svg viewBox={`0 0 ${CHART_WIDTH_IN_PX} ${height}`} role="img" aria-label={summary(title, data, format)} preserveAspectRatio="xMinYMin meet">
          {data.map((d, i) => {
            const y = i * (BAR_HEIGHT_IN_PX + BAR_GAP_IN_PX);
            const width = max > 0 ? Math.max(2, (d.value / max) * barSpace) : 2;
            return (
              <g key={d.label}>
                <text x={LABEL_WIDTH_IN_PX - 8} y={y + BAR_HEIGHT_IN_PX * 0.7} textAnchor="end" className="chart-label">
                  {truncate(d.label, 20)}
                </text>
                <rect x={LABEL_WIDTH_IN_PX} y={y} width={width} height={BAR_HEIGHT_IN_PX} rx={3} className="chart-bar">
                  <title>{`${d.label}: ${format(d.value)}`}</title>
                </rect>
                <text x={LABEL_WIDTH_IN_PX + width + 6} y={y + BAR_HEIGHT_IN_PX * 0.7} className="chart-value">
                  {format(d.value)}
                </text>
              </g>
            );
          })}
        </svg>
      )}
      <DataTable title={title} data={data} format={format} />
    </figure>
  );
}

const COLUMN_AREA_HEIGHT_IN_PX = 160;
/** Half the width of an "MM-DD" label at 12 px. */
const COLUMN_LABEL_HALF_WIDTH_IN_PX = 18;

/** Vertical columns in order (cost per day). */
export function ColumnChart({ title, data, format }: ChartProps) {
  const max = Math.max(0, ...data.map((d) => d.value));
  const step = CHART_WIDTH_IN_PX / Math.max(1, data.length);
  const width = Math.max(2, step * 0.7);
  const labelEvery = Math.ceil(data.length / 8);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${CHART_WIDTH_IN_PX} ${COLUMN_AREA_HEIGHT_IN_PX + 36}`} role="img" aria-label={summary(title, data, format)}>
        <line x1={0} x2={CHART_WIDTH_IN_PX} y1={COLUMN_AREA_HEIGHT_IN_PX} y2={COLUMN_AREA_HEIGHT_IN_PX} className="chart-axis" />
        {data.map((d, i) => {
          const h = max > 0 ? (d.value / max) * (COLUMN_AREA_HEIGHT_IN_PX - 16) : 0;
          const x = i * step + (step - width) / 2;
          return (
            <g key={d.label}>
              <rect x={x} y={COLUMN_AREA_HEIGHT_IN_PX - h} width={width} height={h} rx={2} className="chart-bar">
                <title>{`${d.label}: ${format(d.value)}`}</title>
              </rect>
              {i % labelEvery === 0 && (
                <text {...columnLabelPosition(x + width / 2)} y={COLUMN_AREA_HEIGHT_IN_PX + 16} className="chart-label">
                  {d.label.slice(5)}
                </text>
              )}
            </g>
          );
        })}
        <text x={0} y={12} className="chart-value">
          max {format(max)}
        </text>
      </svg>
      <DataTable title={title} data={data} format={format} />
    </figure>
  );
}

/** A tiny line of recent values (live metrics). */
export function Sparkline({ label, values }: { label: string; values: number[] }) {
  const w = 120;
  const h = 28;
  const max = Math.max(...values, 0);
  const min = Math.min(...values, 0);
  const span = max - min || 1;
  // One point draws no line: repeat it so a fresh series still shows a level.
  const drawn = values.length === 1 ? [values[0], values[0]] : values;
  const points = drawn.map((v, i) => `${(i / Math.max(1, drawn.length - 1)) * w},${h - ((v - min) / span) * (h - 2) - 1}`).join(' ');
  return (
    <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label} className="sparkline">
      <polyline points={points} fill="none" className="chart-line" />
    </svg>
  );
}

function DataTable({ title, data, format }: ChartProps) {
  // A table is never narrower than its content, so the clipping box must be a div around it.
  return (
    <div className="visually-hidden">
      <table>
        <caption>{title}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <th scope="row">{d.label}</th>
              <td>{format(d.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function summary(title: string, data: Datum[], format: (v: number) => string): string {
  const top = [...data].sort((a, b) => b.value - a.value)[0];
  return top ? `${title}. Highest: ${top.label}, ${format(top.value)}.` : `${title}. No data.`;
}

/** A label centred under its column, but kept inside the chart at either edge. */
function columnLabelPosition(centre: number): { x: number; textAnchor: 'start' | 'middle' | 'end' } {
  if (centre < COLUMN_LABEL_HALF_WIDTH_IN_PX) return { x: 0, textAnchor: 'start' };
  if (centre > CHART_WIDTH_IN_PX - COLUMN_LABEL_HALF_WIDTH_IN_PX) return { x: CHART_WIDTH_IN_PX, textAnchor: 'end' };
  return { x: centre, textAnchor: 'middle' };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
