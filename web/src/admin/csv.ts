import type { UsageRow } from '../api/operations.js';

const COLUMNS = ['key', 'userId', 'email', 'modelId', 'day', 'requests', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'costUsd'] as const;

/**
 * A usage report as CSV (RFC 4180: quoted when needed, CRLF line ends). Cells that a
 * spreadsheet would run as a formula are prefixed with a quote (OWASP "CSV injection").
 *
 * @example usageCsv([{ key: 'u1', costUsd: 0.5, ... }]) // "key,userId,...\r\nu1,..."
 */
export function usageCsv(rows: UsageRow[]): string {
  const lines = [COLUMNS.join(',')];
  for (const row of rows) lines.push(COLUMNS.map((c) => cell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Offers `text` as a file download. */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
