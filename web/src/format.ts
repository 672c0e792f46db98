/** Formatting of money, tokens and dates for people. */

/**
 * US dollars with enough decimals that a cheap turn does not read as $0.00.
 * @example formatUsd(0.000125) // "$0.000125"
 */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === 0) return '$0.00';
  const abs = Math.abs(value);
  const digits = abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  return `$${value.toFixed(digits)}`;
}

/** Price per million tokens, e.g. "$3.00 / M". */
export function formatPricePerMillion(value: number): string {
  return `$${value.toFixed(2)} / M`;
}

/** Token counts with thousands separators. */
export function formatTokens(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A UTC date as YYYY-MM-DD (AWSDate). */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The UTC date `days` days before `date`. */
export function daysBefore(date: Date, days: number): Date {
  return new Date(date.getTime() - days * 86_400_000);
}

/** A short local date-time for lists. */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
