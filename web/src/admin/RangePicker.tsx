import { daysBefore, isoDate } from '../format.js';

/** An inclusive UTC date range (AWSDate strings). */
export interface DateRange {
  from: string;
  to: string;
}

/** The last `days` days up to today (UTC), inclusive. */
export function lastDays(days: number, now = new Date()): DateRange {
  return { from: isoDate(daysBefore(now, days - 1)), to: isoDate(now) };
}

const PRESETS = [
  { label: 'Today', days: 1 },
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
] as const;

/** From/to date inputs with presets. */
export function RangePicker({ value, onChange }: { value: DateRange; onChange(range: DateRange): void }) {
  return (
    <fieldset className="range-picker">
      <legend>Date range (UTC)</legend>
      <label htmlFor="range-from">From</label>
      <input id="range-from" type="date" value={value.from} max={value.to} onChange={(e) => e.target.value && onChange({ ...value, from: e.target.value })} />
      <label htmlFor="range-to">To</label>
      <input id="range-to" type="date" value={value.to} min={value.from} onChange={(e) => e.target.value && onChange({ ...value, to: e.target.value })} />
      {PRESETS.map((p) => (
        <button key={p.label} type="button" className="secondary" onClick={() => onChange(lastDays(p.days))}>
          {p.label}
        </button>
      ))}
    </fieldset>
  );
}

/** Every date of the range, so days without spend show as zero. */
export function datesIn(range: DateRange): string[] {
  const out: string[] = [];
  const end = new Date(`${range.to}T00:00:00Z`).getTime();
  for (let t = new Date(`${range.from}T00:00:00Z`).getTime(); t <= end && out.length < 366; t += 86_400_000) out.push(isoDate(new Date(t)));
  return out;
}
