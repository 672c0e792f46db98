/**
 * The admin audit trail: who changed what for whom, and when. Each entry is written in the
 * same transaction as the change it records, so there is no change without its entry.
 */
import { randomUUID } from 'node:crypto';
import type { BudgetOverride } from '../policy.js';
import { queryItems } from './query-pages.js';
import { AUDIT_PARTITION, type LedgerDeps } from './tables.js';
import { InputError } from '../input-error.js';

/** Audited admin actions. */
export const AuditAction = { SetBudgetOverride: 'SetBudgetOverride', ClearBudgetOverride: 'ClearBudgetOverride', RevokeApiKey: 'RevokeApiKey' } as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

/** The admin who acted, from their Cognito identity. */
export interface Actor {
  /** Cognito `sub`. */
  userId: string;
  /** Cognito username (in the cloud often a UUID, as email sign-in makes it). */
  username?: string;
  /** The admin's email, when the user pool lookup found it. */
  email?: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  action: AuditAction;
  actor: Actor;
  targetUserId: string;
  /** The override, or for `RevokeApiKey` the key (id, name, prefix, expiry, budget; never a secret). */
  before: BudgetOverride | Record<string, unknown> | null;
  after: BudgetOverride | Record<string, unknown> | null;
}

/** Largest page listAudit returns. */
export const MAX_AUDIT_PAGE_SIZE = 500;

/**
 * The Put of an audit entry, for a caller's transaction.
 * @example
 * transactWrite(deps, [changeItem, auditPut(deps, entry)]);
 */
export function auditPut(deps: LedgerDeps, entry: Omit<AuditEntry, 'id'>): { Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string } } {
  const id = randomUUID();
  return {
    Put: {
      TableName: deps.tables.budgets,
      Item: { pk: AUDIT_PARTITION, sk: `${entry.at}#${id}`, id, ...entry },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * Audit entries, newest first, optionally between two ISO times and for one target user.
 * @example
 * const entries = await listAudit(deps, { limit: 50 });
 */
export async function listAudit(deps: LedgerDeps, input: { limit?: number; from?: string; to?: string; targetUserId?: string } = {}): Promise<AuditEntry[]> {
  return (await listAuditPage(deps, input)).entries;
}

/** An audit page and the token of the next one (null on the last page). */
export interface AuditPage {
  entries: AuditEntry[];
  nextToken: string | null;
}

/** The sort key an entry is stored under: its time, then its id (unique, time-ordered). */
const auditSortKey = (entry: Pick<AuditEntry, 'at' | 'id'>) => `${entry.at}#${entry.id}`;

/**
 * One page of {@link listAudit}; pass `nextToken` back to continue after its last entry.
 * The token is the last entry's sort key, base64url: opaque to clients, checked here.
 * @example
 * const first = await listAuditPage(deps, { limit: 50 });
 * const second = await listAuditPage(deps, { limit: 50, nextToken: first.nextToken ?? undefined });
 */
export async function listAuditPage(
  deps: LedgerDeps,
  input: { limit?: number; from?: string; to?: string; targetUserId?: string; nextToken?: string } = {},
): Promise<AuditPage> {
  const limit = input.limit ?? 50;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE_SIZE) throw new InputError(`limit must be 1–${MAX_AUDIT_PAGE_SIZE}, got ${limit}`);
  for (const [field, value] of [['from', input.from], ['to', input.to]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new InputError(`${field} must be an ISO time, got ${JSON.stringify(value)}`);
  }
  // Sort keys start with the ISO time; '~' sorts after the '#id' suffix so `to` is inclusive.
  const from = input.from ? new Date(input.from).toISOString() : '0';
  const after = input.nextToken === undefined ? undefined : decodeAuditToken(input.nextToken);
  const to = after ?? (input.to ? `${new Date(input.to).toISOString()}~` : '~');
  const entries: AuditEntry[] = [];
  const items = queryItems(deps, {
    TableName: deps.tables.budgets,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    FilterExpression: input.targetUserId ? 'targetUserId = :target' : undefined,
    ExpressionAttributeValues: { ':pk': AUDIT_PARTITION, ':from': from, ':to': to, ...(input.targetUserId ? { ':target': input.targetUserId } : {}) },
    ScanIndexForward: false,
  });
  for await (const item of items) {
    const { pk: _pk, sk, ...entry } = item;
    // With a token, the range ends at the last entry already returned (BETWEEN is inclusive).
    if (sk === after) continue;
    // One entry past the page says whether another page exists.
    if (entries.length === limit) return { entries, nextToken: encodeAuditToken(auditSortKey(entries[limit - 1])) };
    entries.push(entry as AuditEntry);
  }
  return { entries, nextToken: null };
}

function encodeAuditToken(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

/** The sort key a token names; a token this function did not make is a RangeError (a ValidationError to callers). */
function decodeAuditToken(token: string): string {
  const sortKey = Buffer.from(token, 'base64url').toString('utf8');
  const [at, id] = sortKey.split('#');
  if (!id || Number.isNaN(Date.parse(at)) || encodeAuditToken(sortKey) !== token) throw new InputError('nextToken is not a token auditLog returned');
  return sortKey;
}
