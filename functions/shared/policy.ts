/**
 * A user's effective policy: what their Cognito groups allow, combined, with an admin's
 * per-user override on top.
 *
 * Precedence (docs/budgets.md explains the choice):
 * 1. groups combine to the most generous: the union of allowed models and, for each limit,
 *    the largest value among the user's groups (Cognito groups are memberships that add
 *    up: adding someone to `power-users` must never lower what `users` gave them);
 * 2. a per-user override replaces each field it sets, up or down, whatever the groups say;
 * 3. a user in no configured group gets nothing (deny by default).
 */
import { GROUP_POLICIES, GROUP_RANK, type GroupPolicy } from './config.js';
import { findModel } from '../../schema/models.js';

/** Limits an admin may set for one user; fields left out keep the group value. */
export interface BudgetOverride {
  dailyLimitUsd?: number;
  monthlyLimitUsd?: number;
  maxOutputTokens?: number;
  requestsPerMinute?: number;
  /** Replaces the allowed models when given. */
  allowedModels?: string[];
  /** ISO time from which the override no longer applies (the groups' policy does again). @default never */
  expiresAt?: string;
  /** Why the admin set it (at most {@link MAX_OVERRIDE_REASON_LENGTH} characters); kept and audited, never enforced. */
  reason?: string;
}

/** Longest `reason` an override may carry, in characters. */
export const MAX_OVERRIDE_REASON_LENGTH = 500;

/**
 * Whether an override applies at `now`: it exists and has not expired.
 * @example
 * overrideApplies({ dailyLimitUsd: 5, expiresAt: '2025-01-01T00:00:00Z' }, new Date('2025-02-01')); // false
 */
export function overrideApplies(override: BudgetOverride | null | undefined, now: Date = new Date()): override is BudgetOverride {
  if (!override) return false;
  return override.expiresAt === undefined || override.expiresAt === null || Date.parse(override.expiresAt) > now.getTime();
}

/** The policy that applies to one user now. */
export interface EffectivePolicy extends GroupPolicy {
  /** The user's highest-ranked configured group, or `none`; bounded, so usable as a metric dimension. */
  group: string;
  /** Configured groups the policy came from. */
  groups: string[];
  /** Whether an admin's override changed anything. */
  overridden: boolean;
}

/** The `group` of a user in no configured group. */
export const NO_GROUP = 'none';

/**
 * Combines a user's groups (from the token's `cognito:groups`) and an optional override.
 * An override whose `expiresAt` is not after `now` is ignored.
 * @example
 * effectivePolicy(['users', 'power-users']).dailyLimitUsd; // 20
 * effectivePolicy(['users'], { dailyLimitUsd: 0.5 }).dailyLimitUsd; // 0.5
 * effectivePolicy(['users'], { dailyLimitUsd: 0.5, expiresAt: '2025-01-01T00:00:00Z' }, new Date('2025-02-01')).dailyLimitUsd; // 2
 */
export function effectivePolicy(
  cognitoGroups: readonly string[],
  override?: BudgetOverride,
  /** @default the current time */
  now: Date = new Date(),
  policies: Readonly<Record<string, GroupPolicy>> = GROUP_POLICIES,
): EffectivePolicy {
  const groups = [...new Set(cognitoGroups)].filter((g) => Object.hasOwn(policies, g));
  const members = groups.map((g) => policies[g]);
  const most = (pick: (p: GroupPolicy) => number) => (members.length === 0 ? 0 : Math.max(...members.map(pick)));
  const combined: GroupPolicy = {
    allowedModels: [...new Set(members.flatMap((p) => p.allowedModels))],
    dailyLimitUsd: most((p) => p.dailyLimitUsd),
    monthlyLimitUsd: most((p) => p.monthlyLimitUsd),
    maxOutputTokens: most((p) => p.maxOutputTokens),
    requestsPerMinute: most((p) => p.requestsPerMinute),
  };
  const fields = overrideApplies(override, now) ? definedFields(override) : {};
  return {
    ...combined,
    ...fields,
    group: GROUP_RANK.find((g) => groups.includes(g)) ?? groups[0] ?? NO_GROUP,
    groups,
    overridden: Object.keys(fields).length > 0,
  };
}

/**
 * Whether a policy admits a model id (a listed model admits its inference profiles).
 * @example
 * isModelAllowed(effectivePolicy(['users']), 'us.amazon.nova-lite-v1:0'); // true
 */
export function isModelAllowed(policy: Pick<GroupPolicy, 'allowedModels'>, modelId: string): boolean {
  if (policy.allowedModels.includes(modelId)) return true;
  const model = findModel(modelId);
  return model !== undefined && policy.allowedModels.includes(model.id);
}

/**
 * Checks an override an admin sent; returns the problems (empty when valid). `expiresAt`
 * must be an ISO time after `now`; `reason` at most {@link MAX_OVERRIDE_REASON_LENGTH} characters.
 * @example
 * overrideProblems({ dailyLimitUsd: -1 }); // ['dailyLimitUsd must be a finite number ≥ 0']
 */
export function overrideProblems(override: BudgetOverride, now: Date = new Date()): string[] {
  const problems: string[] = [];
  if (override.expiresAt !== undefined && override.expiresAt !== null) {
    const expiresAt = typeof override.expiresAt === 'string' ? Date.parse(override.expiresAt) : Number.NaN;
    if (Number.isNaN(expiresAt)) problems.push('expiresAt must be an ISO 8601 date and time');
    else if (expiresAt <= now.getTime()) problems.push(`expiresAt must be in the future (it is ${now.toISOString()} now)`);
  }
  if (override.reason !== undefined && override.reason !== null) {
    if (typeof override.reason !== 'string') problems.push('reason must be text');
    else if (override.reason.length > MAX_OVERRIDE_REASON_LENGTH) problems.push(`reason must be at most ${MAX_OVERRIDE_REASON_LENGTH} characters, got ${override.reason.length}`);
  }
  for (const field of ['dailyLimitUsd', 'monthlyLimitUsd'] as const) {
    const value = override[field];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_LIMIT_IN_USD)) {
      problems.push(`${field} must be a finite number ≥ 0 and ≤ ${MAX_LIMIT_IN_USD}`);
    }
  }
  for (const field of ['maxOutputTokens', 'requestsPerMinute'] as const) {
    const value = override[field];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) problems.push(`${field} must be a whole number ≥ 0`);
  }
  if (override.allowedModels !== undefined) {
    if (!Array.isArray(override.allowedModels)) problems.push('allowedModels must be a list of model ids');
    else for (const id of override.allowedModels) if (typeof id !== 'string' || !findModel(id)) problems.push(`allowedModels: unknown model ${JSON.stringify(id)}`);
  }
  if (Object.keys(definedFields(override)).length === 0) problems.push('an override must set at least one field besides expiresAt and reason');
  return problems;
}

/** The largest limit an override may set; keeps micro-USD sums far inside safe integers. */
export const MAX_LIMIT_IN_USD = 1_000_000;

function definedFields(override: BudgetOverride): Partial<GroupPolicy> {
  const fields: Partial<Record<keyof BudgetOverride, unknown>> = {};
  for (const key of ['dailyLimitUsd', 'monthlyLimitUsd', 'maxOutputTokens', 'requestsPerMinute', 'allowedModels'] as const) {
    if (override[key] !== undefined && override[key] !== null) fields[key] = override[key];
  }
  return fields as Partial<GroupPolicy>;
}
