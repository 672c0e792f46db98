/**
 * The user's budget item (`USER#<sub>` / `BUDGET`): everything admission decides on, in
 * one item, so one conditional UpdateItem admits a turn. It holds
 * - the period totals, one attribute per period and figure (`D#<day>#used`, `#spent`,
 *   `#requests`; `M#<month>#…`): a new period is a new attribute, so a rollover needs no
 *   read and no second write;
 * - the request-rate window, `T#<minute>` (turns started in that UTC minute);
 * - the open reservations, `R#<requestId>` (a small map each) and their count `openTurns`,
 *   capped at {@link MAX_OPEN_TURNS};
 * - `overrideChanges`, bumped by every override change, which admission's condition pins;
 * - `openPartition`/`expiresAt` while turns are open: the sweeper's index entry.
 * Attributes of past periods are removed by settlement and the sweeper (see
 * {@link staleAttributes}), so the item stays small however long a user is active.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dayKey, minuteKey, monthKey } from '../clock.js';
import { keys, type LedgerDeps } from './tables.js';

/** The sort key of a user's budget item. */
export const BUDGET_SK = 'BUDGET';

/** Most turns one user may have open (admitted, not yet settled) at once; beyond it admission says RateLimited. */
export const MAX_OPEN_TURNS = 32;

/** Attribute names of the budget item. */
export const budgetAttr = {
  dayUsed: (day: string) => `D#${day}#used`,
  daySpent: (day: string) => `D#${day}#spent`,
  dayRequests: (day: string) => `D#${day}#requests`,
  monthUsed: (month: string) => `M#${month}#used`,
  monthSpent: (month: string) => `M#${month}#spent`,
  monthRequests: (month: string) => `M#${month}#requests`,
  minute: (minute: string) => `T#${minute}`,
  reservation: (requestId: string) => `R#${requestId}`,
  openTurns: 'openTurns',
  overrideChanges: 'overrideChanges',
} as const;

/**
 * One open reservation inside the budget item. Short keys: the item's size is what every
 * admission pays for in write units.
 */
export interface OpenEntry {
  /** Reserved micro-USD. */
  w: number;
  /** Admitted at, epoch ms (its day and month are the turn's periods). */
  c: number;
  /** Expires at, epoch ms. */
  x: number;
  /** Model id as requested. */
  m: string;
  /** Policy group. */
  g: string;
  /** maxOutputTokens granted. */
  o: number;
  /** inputTokensEstimate. */
  i: number;
  /** Conversation id (cancelChat answers with it). */
  v?: string;
  /** Fingerprint of a startChat that named a clientRequestId (a retry must match it). */
  f?: string;
  /** The API key the turn came in with, whose item holds `H#<requestId>` (api-keys.ts). */
  h?: string;
  /** Claimed by the streaming Lambda at, epoch ms. */
  k?: number;
  /** The claiming invocation's mark (claim.ts invocationMark): its retry knows it died. */
  a?: string;
  /** Cancel requested. */
  z?: boolean;
}

export function budgetKey(userId: string): { pk: string; sk: string } {
  return { pk: keys.user(userId), sk: BUDGET_SK };
}

/**
 * Reads a user's budget item (strongly consistent); undefined when the user never had one.
 * @example
 * const item = await readBudgetItem(deps, 'user-1');
 */
export async function readBudgetItem(deps: LedgerDeps, userId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await deps.db.send(new GetCommand({ TableName: deps.tables.budgets, Key: budgetKey(userId), ConsistentRead: true }));
  return Item;
}

/** A number attribute of an item, 0 when absent. */
export function numberAttr(item: Record<string, unknown> | undefined, name: string): number {
  const value = item?.[name];
  return typeof value === 'number' ? value : 0;
}

/** The open reservation entry of `requestId` in a budget item, if any. */
export function openEntry(item: Record<string, unknown> | undefined, requestId: string): OpenEntry | undefined {
  const value = item?.[budgetAttr.reservation(requestId)];
  return value && typeof value === 'object' ? (value as OpenEntry) : undefined;
}

/** Every open reservation entry of a budget item, by request id. */
export function openEntries(item: Record<string, unknown> | undefined): [string, OpenEntry][] {
  return Object.entries(item ?? {})
    .filter(([name]) => name.startsWith('R#'))
    .map(([name, value]) => [name.slice(2), value as OpenEntry]);
}

/**
 * Period and rate attributes no condition will read again: days before yesterday, months
 * before last month, minutes before the last two. Yesterday and last month stay, so a
 * turn that crosses midnight settles into totals that are still there.
 */
export function staleAttributes(item: Record<string, unknown> | undefined, now: Date): string[] {
  const oldestDay = dayKey(new Date(now.getTime() - 24 * 60 * 60 * 1000));
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const oldestMonth = monthKey(lastMonth);
  const oldestMinute = minuteKey(new Date(now.getTime() - 2 * 60 * 1000));
  return Object.keys(item ?? {}).filter((name) => {
    const [kind, period] = name.split('#');
    if (kind === 'D' && period !== undefined && name.split('#').length === 3) return period < oldestDay;
    if (kind === 'M' && period !== undefined && name.split('#').length === 3) return period < oldestMonth;
    if (kind === 'T' && period !== undefined) return period < oldestMinute;
    return false;
  });
}

/** ExpressionAttributeNames for a list of attribute names: `#a0`, `#a1`… */
export function nameRefs(names: string[], prefix: string): { refs: string[]; names: Record<string, string> } {
  const refs = names.map((_, i) => `#${prefix}${i}`);
  return { refs, names: Object.fromEntries(names.map((name, i) => [refs[i], name])) };
}
