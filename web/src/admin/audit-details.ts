/**
 * Turns an audit entry's `details` (AWSJSON `{ before, after }` of a budget override) into
 * short "field: before → after" lines a person can scan.
 */
import { formatUsd } from '../format.js';

/** The override fields an audit entry can show, in display order, with their labels. */
const FIELDS = [
  ['dailyLimitUsd', 'Daily limit'],
  ['monthlyLimitUsd', 'Monthly limit'],
  ['maxOutputTokens', 'Max output tokens'],
  ['requestsPerMinute', 'Requests per minute'],
  ['allowedModels', 'Allowed models'],
  ['expiresAt', 'Expires'],
  ['reason', 'Reason'],
] as const;

/** What a limit reads when absent: the user's groups decide it. */
export const NOT_SET = 'group default';
/** What a reason or expiry reads when absent. */
export const NONE = 'none';

type Snapshot = Record<string, unknown> | null;

/**
 * The fields that differ between `before` and `after`, as "Label: old → new".
 *
 * @example
 * auditChanges('{"before":null,"after":{"dailyLimitUsd":5,"reason":"demo"}}')
 * // ["Daily limit: group default → $5.00", "Reason: none → demo"]
 */
export function auditChanges(details: string | Record<string, unknown> | null | undefined): string[] {
  const parsed = parseDetails(details);
  if (!parsed) return [];
  const { before, after } = parsed;
  const lines: string[] = [];
  for (const [key, label] of FIELDS) {
    const was = show(key, before?.[key]);
    const now = show(key, after?.[key]);
    if (was !== now) lines.push(`${label}: ${was} → ${now}`);
  }
  return lines;
}

function parseDetails(details: string | Record<string, unknown> | null | undefined): { before: Snapshot; after: Snapshot } | null {
  let value: unknown = details;
  if (typeof details === 'string') {
    try {
      value = JSON.parse(details);
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== 'object') return null;
  const { before, after } = value as { before?: unknown; after?: unknown };
  return { before: asSnapshot(before), after: asSnapshot(after) };
}

function asSnapshot(value: unknown): Snapshot {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function show(key: string, value: unknown): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return key === 'reason' || key === 'expiresAt' ? NONE : NOT_SET;
  if (key.endsWith('Usd') && typeof value === 'number') return formatUsd(value);
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (key === 'expiresAt' && typeof value === 'string') return value.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  return String(value);
}
