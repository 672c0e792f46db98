/** Small statistics helpers for the bench's latency figures. */

/** Percentiles of a sample, in the sample's unit, rounded to 0.1. */
export interface Distribution {
  p50: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * The nearest-rank percentile `p` (0–100) of `values`; NaN for an empty sample.
 * @example
 * percentile([1, 2, 3, 4], 50); // 2
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/**
 * p50, p99, min, max and mean of a sample.
 * @example
 * distribution([10, 12, 40]).p50; // 12
 */
export function distribution(values: readonly number[]): Distribution {
  const mean = values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  return {
    p50: round1(percentile(values, 50)),
    p99: round1(percentile(values, 99)),
    min: round1(values.length ? Math.min(...values) : Number.NaN),
    max: round1(values.length ? Math.max(...values) : Number.NaN),
    mean: round1(mean),
  };
}

/** Rounds to one decimal (NaN stays NaN; JSON writes it as null). */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** `a / b` rounded to 0.001, or null when b is 0 or either is not a number. */
export function ratio(a: number, b: number): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return Math.round((a / b) * 1000) / 1000;
}
