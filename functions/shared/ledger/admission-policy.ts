/**
 * The policy admission reserves under, without a read per turn: the user's override is
 * cached per Lambda container with the budget item's `overrideChanges` count, which every
 * override change bumps (overrides.ts). Admission's one conditional write pins that count,
 * so a changed (or new, or cleared) override refuses the write; admission then reads it
 * again and tries again. A cached override can never admit a turn the stored one would
 * refuse, and no read-then-write race is left.
 */
import { TransactGetCommand } from '@aws-sdk/lib-dynamodb';
import { effectivePolicy, type BudgetOverride, type EffectivePolicy } from '../policy.js';
import { budgetAttr, budgetKey } from './budget-item.js';
import { checkId, keys, nowFrom, type LedgerDeps } from './tables.js';

/** Users whose override one container remembers; beyond it the oldest is read again. */
const MAX_CACHED_OVERRIDES = 10_000;

/** The override as last read (`null`: none) and the change count it was read at (`null`: never changed). */
interface CachedOverride {
  override: BudgetOverride | null;
  changes: number | null;
}

const cache = new Map<string, CachedOverride>();

function cacheKey(deps: LedgerDeps, userId: string): string {
  return `${deps.tables.budgets}\n${userId}`;
}

/** A policy and the count that keeps it honest inside admission's write. */
export interface AdmissionPolicy {
  policy: EffectivePolicy;
  /** Pass to reserve(): the write holds only while no override change happened since. */
  overrideChanges: number | null;
}

/**
 * The user's effective policy for admission, from the cached override unless `fresh`.
 * @example
 * const { policy, overrideChanges } = await admissionPolicy(deps, sub, groups);
 * await reserve(deps, { ...input, policy, overrideChanges });
 */
export async function admissionPolicy(
  deps: LedgerDeps,
  userId: string,
  groups: readonly string[],
  options: { now?: Date; fresh?: boolean } = {},
): Promise<AdmissionPolicy> {
  checkId(userId, 'userId');
  const key = cacheKey(deps, userId);
  let cached = options.fresh ? undefined : cache.get(key);
  if (cached === undefined) {
    // One snapshot of both items: the count and the override it goes with.
    const { Responses } = await deps.db.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: deps.tables.budgets, Key: budgetKey(userId), ProjectionExpression: '#changes', ExpressionAttributeNames: { '#changes': budgetAttr.overrideChanges } } },
          { Get: { TableName: deps.tables.budgets, Key: { pk: keys.user(userId), sk: keys.override } } },
        ],
      }),
    );
    const changes = Responses?.[0]?.Item?.[budgetAttr.overrideChanges];
    cached = { changes: typeof changes === 'number' ? changes : null, override: (Responses?.[1]?.Item?.override as BudgetOverride | undefined) ?? null };
    cache.delete(key);
    if (cache.size >= MAX_CACHED_OVERRIDES) cache.delete(cache.keys().next().value ?? '');
    cache.set(key, cached);
  }
  return { policy: effectivePolicy(groups, cached.override ?? undefined, nowFrom(deps, options.now)), overrideChanges: cached.changes };
}

/** Drops the cached override of a user (after this container changed it). */
export function forgetCachedOverride(deps: LedgerDeps, userId: string): void {
  cache.delete(cacheKey(deps, userId));
}
