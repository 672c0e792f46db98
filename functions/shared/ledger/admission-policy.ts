/**
 * The policy admission reserves under, without a read per turn: the user's override is
 * cached per Lambda container with the budget item's `overrideChanges` count, which every
 * override change bumps (overrides.ts). Admission's one conditional write pins that count,
 * so a changed (or new, or cleared) override refuses the write; admission then reads it
 * again and tries again. A cached override can never admit a turn the stored one would
 * refuse, and no read-then-write race is left.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
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
    // The count first, then the override: an override read after the count is at least as
    // new, so a change in between can only make the write refuse (and re-read), never admit
    // under a stale override. Two plain reads, not a transaction: TransactGetItems is
    // cancelled by writes in flight on the budget item, which a busy user always has.
    const counted = await deps.db.send(
      new GetCommand({ TableName: deps.tables.budgets, Key: budgetKey(userId), ProjectionExpression: '#changes', ExpressionAttributeNames: { '#changes': budgetAttr.overrideChanges }, ConsistentRead: true }),
    );
    const stored = await deps.db.send(new GetCommand({ TableName: deps.tables.budgets, Key: { pk: keys.user(userId), sk: keys.override }, ConsistentRead: true }));
    const changes = counted.Item?.[budgetAttr.overrideChanges];
    cached = { changes: typeof changes === 'number' ? changes : null, override: (stored.Item?.override as BudgetOverride | undefined) ?? null };
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
