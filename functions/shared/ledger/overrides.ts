/**
 * Per-user budget overrides: an admin's run-time limits for one user, which win over the
 * user's group policy field by field until they expire. Every change is audited in the
 * same transaction, with its reason and expiry.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { effectivePolicy, overrideProblems, type BudgetOverride, type EffectivePolicy } from '../policy.js';
import { budgetAttr, budgetKey } from './budget-item.js';
import { auditPut, AuditAction, type Actor } from './audit.js';
import { LedgerErrorCode, ledgerBusy, type LedgerBusy, type ValidationError } from './errors.js';
import { checkId, keys, nowFrom, type LedgerDeps } from './tables.js';
import { transactWrite } from './transact.js';

/** Attempts when another admin changed the same override between our read and write. */
const MAX_OVERRIDE_ATTEMPTS = 3;

/** A stored override with who set it and when (the admin's identity as the audit keeps it). */
export interface OverrideRecord {
  userId: string;
  override: BudgetOverride;
  /** The admin who set it; absent only on overrides stored before Sluice kept it. */
  updatedBy?: Actor;
  /** When it was set (ISO); absent only on overrides stored before Sluice kept it. */
  updatedAt?: string;
}

/**
 * A change's outcome: the override replaced (`before`, as audited) and the one now stored
 * (`after`), and the records with who set each and when.
 */
export type OverrideResult =
  | { ok: true; before: BudgetOverride | null; after: BudgetOverride | null; previous: OverrideRecord | null; current: OverrideRecord | null }
  | { ok: false; error: ValidationError | LedgerBusy };

interface StoredOverride {
  record: OverrideRecord;
  version: number;
}

async function readOverride(deps: LedgerDeps, userId: string): Promise<StoredOverride | undefined> {
  const { Item } = await deps.db.send(new GetCommand({ TableName: deps.tables.budgets, Key: { pk: keys.user(userId), sk: keys.override }, ConsistentRead: true }));
  if (!Item) return undefined;
  const record: OverrideRecord = { userId, override: Item.override as BudgetOverride };
  if (Item.updatedBy) record.updatedBy = Item.updatedBy as Actor;
  if (typeof Item.updatedAt === 'string') record.updatedAt = Item.updatedAt;
  return { record, version: Item.version as number };
}

/**
 * The user's override as stored, expired or not (see {@link overrideApplies}).
 * @example
 * const override = await getBudgetOverride(deps, 'user-1'); // { dailyLimitUsd: 5 } or undefined
 */
export async function getBudgetOverride(deps: LedgerDeps, userId: string): Promise<BudgetOverride | undefined> {
  return (await getOverrideRecord(deps, userId))?.override;
}

/**
 * The user's override with who set it and when, expired or not.
 * @example
 * const record = await getOverrideRecord(deps, 'user-1'); // { userId, override, updatedBy, updatedAt } or undefined
 */
export async function getOverrideRecord(deps: LedgerDeps, userId: string): Promise<OverrideRecord | undefined> {
  checkId(userId, 'userId');
  return (await readOverride(deps, userId))?.record;
}

/**
 * The policy that applies to a user now (the deps' clock, or `now`): their groups
 * combined, then their override unless it has expired.
 * @example
 * const policy = await resolvePolicy(deps, identity.sub, identity.groups ?? []);
 */
export async function resolvePolicy(deps: LedgerDeps, userId: string, cognitoGroups: readonly string[], now?: Date): Promise<EffectivePolicy> {
  return effectivePolicy(cognitoGroups, await getBudgetOverride(deps, userId), nowFrom(deps, now));
}

/**
 * Sets (replaces) a user's override, with its optional `expiresAt` and `reason`, and
 * audits it. Invalid input changes nothing and comes back as a ValidationError listing
 * every problem (an `expiresAt` not in the future, a `reason` over 500 characters, …).
 * @example
 * await setBudgetOverride(deps, { actor: { userId: admin.sub }, userId: 'user-1', limits: { dailyLimitUsd: 5, expiresAt: '2025-06-01T00:00:00Z', reason: 'launch week' } });
 */
export async function setBudgetOverride(deps: LedgerDeps, input: { actor: Actor; userId: string; limits: BudgetOverride; now?: Date }): Promise<OverrideResult> {
  checkId(input.actor?.userId, 'actor.userId');
  checkId(input.userId, 'userId');
  const problems = overrideProblems(input.limits ?? {}, nowFrom(deps, input.now));
  if (problems.length > 0) {
    return { ok: false, error: { code: LedgerErrorCode.ValidationError, message: `Invalid budget override: ${problems.join('; ')}.`, problems, retryable: false } };
  }
  const after = pickOverride(input.limits);
  return change(deps, input, AuditAction.SetBudgetOverride, after);
}

/**
 * Removes a user's override (back to their groups' policy) and audits it.
 * @example
 * await clearBudgetOverride(deps, { actor: { userId: admin.sub }, userId: 'user-1' });
 */
export async function clearBudgetOverride(deps: LedgerDeps, input: { actor: Actor; userId: string; now?: Date }): Promise<OverrideResult> {
  checkId(input.actor?.userId, 'actor.userId');
  checkId(input.userId, 'userId');
  return change(deps, input, AuditAction.ClearBudgetOverride, null);
}

async function change(deps: LedgerDeps, input: { actor: Actor; userId: string; now?: Date }, action: AuditAction, after: BudgetOverride | null): Promise<OverrideResult> {
  const Key = { pk: keys.user(input.userId), sk: keys.override };
  const TableName = deps.tables.budgets;
  const actor: Actor = {
    userId: input.actor.userId,
    ...(input.actor.username ? { username: input.actor.username } : {}),
    ...(input.actor.email ? { email: input.actor.email } : {}),
  };
  for (let attempt = 1; attempt <= MAX_OVERRIDE_ATTEMPTS; attempt += 1) {
    const current = await readOverride(deps, input.userId);
    // Optimistic lock on the version so the audit's "before" is exactly what was replaced.
    const condition = current
      ? { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': current.version } }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    const at = nowFrom(deps, input.now).toISOString();
    const record: OverrideRecord | null = after ? { userId: input.userId, override: after, updatedBy: actor, updatedAt: at } : null;
    const write = record
      ? { Put: { TableName, Item: { ...Key, ...record, version: (current?.version ?? 0) + 1 }, ...condition } }
      : { Delete: { TableName, Key, ...condition } };
    const before = current?.record.override ?? null;
    // Every change bumps the budget item's counter, which admission's one conditional write pins (admission-policy.ts).
    const bump = {
      Update: {
        TableName,
        Key: budgetKey(input.userId),
        UpdateExpression: 'SET userId = :user ADD #changes :one',
        ExpressionAttributeNames: { '#changes': budgetAttr.overrideChanges },
        ExpressionAttributeValues: { ':user': input.userId, ':one': 1 },
      },
    };
    const outcome = await transactWrite(deps, [write, bump, auditPut(deps, { at, action, actor, targetUserId: input.userId, before, after })]);
    if (outcome.ok) return { ok: true, before, after, previous: current?.record ?? null, current: record };
    if (outcome.busy) break;
  }
  return { ok: false, error: ledgerBusy() };
}

function pickOverride(limits: BudgetOverride): BudgetOverride {
  const { dailyLimitUsd, monthlyLimitUsd, maxOutputTokens, requestsPerMinute, allowedModels, expiresAt, reason } = limits;
  // Stored normalised (…Z), so the expiry compares and reads the same everywhere.
  const normalisedExpiry = expiresAt === undefined || expiresAt === null ? undefined : new Date(expiresAt).toISOString();
  return Object.fromEntries(
    Object.entries({ dailyLimitUsd, monthlyLimitUsd, maxOutputTokens, requestsPerMinute, allowedModels, expiresAt: normalisedExpiry, reason }).filter(
      ([, v]) => v !== undefined && v !== null,
    ),
  ) as BudgetOverride;
}
