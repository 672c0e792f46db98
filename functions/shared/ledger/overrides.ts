/**
 * Per-user budget overrides: an admin's run-time limits for one user, which win over the
 * user's group policy field by field. Every change is audited in the same transaction.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { effectivePolicy, overrideProblems, type BudgetOverride, type EffectivePolicy } from '../policy.js';
import { auditPut, AuditAction, type Actor } from './audit.js';
import { LedgerErrorCode, ledgerBusy, type LedgerBusy, type ValidationError } from './errors.js';
import { checkId, keys, nowFrom, type LedgerDeps } from './tables.js';
import { transactWrite } from './transact.js';

/** Attempts when another admin changed the same override between our read and write. */
const MAX_OVERRIDE_ATTEMPTS = 3;

export type OverrideResult = { ok: true; before: BudgetOverride | null; after: BudgetOverride | null } | { ok: false; error: ValidationError | LedgerBusy };

interface StoredOverride {
  override: BudgetOverride;
  version: number;
}

async function readOverride(deps: LedgerDeps, userId: string): Promise<StoredOverride | undefined> {
  const { Item } = await deps.db.send(new GetCommand({ TableName: deps.tables.budgets, Key: { pk: keys.user(userId), sk: keys.override }, ConsistentRead: true }));
  return Item ? { override: Item.override as BudgetOverride, version: Item.version as number } : undefined;
}

/**
 * The user's override, if an admin set one.
 * @example
 * const override = await getBudgetOverride(deps, 'user-1'); // { dailyLimitUsd: 5 } or undefined
 */
export async function getBudgetOverride(deps: LedgerDeps, userId: string): Promise<BudgetOverride | undefined> {
  checkId(userId, 'userId');
  return (await readOverride(deps, userId))?.override;
}

/**
 * The policy that applies to a user: their groups combined, then their override.
 * @example
 * const policy = await resolvePolicy(deps, identity.sub, identity.groups ?? []);
 */
export async function resolvePolicy(deps: LedgerDeps, userId: string, cognitoGroups: readonly string[]): Promise<EffectivePolicy> {
  return effectivePolicy(cognitoGroups, await getBudgetOverride(deps, userId));
}

/**
 * Sets (replaces) a user's override and audits it. Invalid limits change nothing and come
 * back as a ValidationError listing every problem.
 * @example
 * await setBudgetOverride(deps, { actor: { userId: admin.sub }, userId: 'user-1', limits: { dailyLimitUsd: 5 } });
 */
export async function setBudgetOverride(deps: LedgerDeps, input: { actor: Actor; userId: string; limits: BudgetOverride; now?: Date }): Promise<OverrideResult> {
  checkId(input.actor?.userId, 'actor.userId');
  checkId(input.userId, 'userId');
  const problems = overrideProblems(input.limits ?? {});
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
  for (let attempt = 1; attempt <= MAX_OVERRIDE_ATTEMPTS; attempt += 1) {
    const current = await readOverride(deps, input.userId);
    // Optimistic lock on the version so the audit's "before" is exactly what was replaced.
    const condition = current
      ? { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': current.version } }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    const write = after
      ? { Put: { TableName, Item: { ...Key, override: after, version: (current?.version ?? 0) + 1, userId: input.userId }, ...condition } }
      : { Delete: { TableName, Key, ...condition } };
    const at = nowFrom(deps, input.now).toISOString();
    const actor: Actor = { userId: input.actor.userId, ...(input.actor.username ? { username: input.actor.username } : {}) };
    const outcome = await transactWrite(deps, [write, auditPut(deps, { at, action, actor, targetUserId: input.userId, before: current?.override ?? null, after })]);
    if (outcome.ok) return { ok: true, before: current?.override ?? null, after };
    if (outcome.busy) break;
  }
  return { ok: false, error: ledgerBusy() };
}

function pickOverride(limits: BudgetOverride): BudgetOverride {
  const { dailyLimitUsd, monthlyLimitUsd, maxOutputTokens, requestsPerMinute, allowedModels } = limits;
  return Object.fromEntries(
    Object.entries({ dailyLimitUsd, monthlyLimitUsd, maxOutputTokens, requestsPerMinute, allowedModels }).filter(([, v]) => v !== undefined && v !== null),
  ) as BudgetOverride;
}
