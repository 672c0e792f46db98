/**
 * The policy admission reserves under, without a read per turn: the user's override is
 * cached per Lambda container, and the reservation transaction itself proves it is still
 * the stored one, with a ConditionCheck on the override item. A changed (or new, or
 * cleared) override fails that check; admission then re-reads it and tries again. So a
 * cached override can never admit a turn that the stored override would refuse, and no
 * read-then-write race is left: today's read and the write are one atomic step.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { effectivePolicy, type BudgetOverride, type EffectivePolicy } from '../policy.js';
import { checkId, keys, nowFrom, type LedgerDeps } from './tables.js';
import type { TransactItems } from './transact.js';

/** Users whose override one container remembers; beyond it the oldest is read again. */
const MAX_CACHED_OVERRIDES = 10_000;

/** The override as last read: `null` when the user has none. */
const cache = new Map<string, BudgetOverride | null>();

function cacheKey(deps: LedgerDeps, userId: string): string {
  return `${deps.tables.budgets}\n${userId}`;
}

/** A policy and the condition that keeps it honest inside the reservation transaction. */
export interface AdmissionPolicy {
  policy: EffectivePolicy;
  /** Holds only while the stored override is exactly the one `policy` was resolved from. */
  overrideUnchanged: TransactItems[number];
}

/**
 * The user's effective policy for admission, from the cached override unless `fresh`.
 * @example
 * const { policy, overrideUnchanged } = await admissionPolicy(deps, sub, groups);
 * await reserve(deps, { ...input, policy, alsoWrite: [overrideUnchanged] });
 */
export async function admissionPolicy(
  deps: LedgerDeps,
  userId: string,
  groups: readonly string[],
  options: { now?: Date; fresh?: boolean } = {},
): Promise<AdmissionPolicy> {
  checkId(userId, 'userId');
  const key = cacheKey(deps, userId);
  let override = options.fresh ? undefined : cache.get(key);
  if (override === undefined) {
    const { Item } = await deps.db.send(
      new GetCommand({ TableName: deps.tables.budgets, Key: { pk: keys.user(userId), sk: keys.override }, ConsistentRead: true }),
    );
    override = (Item?.override as BudgetOverride | undefined) ?? null;
    cache.delete(key);
    if (cache.size >= MAX_CACHED_OVERRIDES) cache.delete(cache.keys().next().value ?? '');
    cache.set(key, override);
  }
  const Key = { pk: keys.user(userId), sk: keys.override };
  const overrideUnchanged: TransactItems[number] = override
    ? // Map equality in DynamoDB is structural: same limits, expiry and reason, same policy.
      { ConditionCheck: { TableName: deps.tables.budgets, Key, ConditionExpression: '#override = :override', ExpressionAttributeNames: { '#override': 'override' }, ExpressionAttributeValues: { ':override': override } } }
    : { ConditionCheck: { TableName: deps.tables.budgets, Key, ConditionExpression: 'attribute_not_exists(#override)', ExpressionAttributeNames: { '#override': 'override' } } };
  return { policy: effectivePolicy(groups, override ?? undefined, nowFrom(deps, options.now)), overrideUnchanged };
}

/** Drops the cached override of a user (after this container changed it). */
export function forgetCachedOverride(deps: LedgerDeps, userId: string): void {
  cache.delete(cacheKey(deps, userId));
}
