/**
 * Which models a caller's Cognito groups may use, and with what output cap, read from the
 * policy config. Written in the APPSYNC_JS subset (no regex literals, no try/throw, no
 * while) because the GraphQL resolvers bundle it as well as the Lambda functions.
 */
import { GROUP_POLICIES, MODELS, type ModelConfig } from './config.js';

// The config's list is readonly; the AppSync linter only knows Array's methods by name.
const ALL_MODELS = MODELS as ModelConfig[];

/** The group policies that apply to a caller (groups without a policy grant nothing: deny by default). */
function policiesOf(groups: string[]) {
  return groups.filter((g) => Boolean(GROUP_POLICIES[g])).map((g) => GROUP_POLICIES[g]);
}

/**
 * Models the caller's groups allow, in the config's order; several groups combine (the
 * most generous wins), as functions/shared/policy.ts documents.
 *
 * @example
 * ```ts
 * allowedModels(['users']).map((m) => m.id);
 * ```
 */
export function allowedModels(groups: string[]): ModelConfig[] {
  const policies = policiesOf(groups);
  return ALL_MODELS.filter((m) => policies.some((p) => p.allowedModels.includes(m.id)));
}

/**
 * The model with this id, or undefined.
 *
 * @example
 * ```ts
 * findModel('sluice.simulator')?.maxOutputTokens; // 8192
 * ```
 */
export function findModel(modelId: string): ModelConfig | undefined {
  return ALL_MODELS.find((m) => m.id === modelId);
}

/**
 * The largest `maxTokens` the caller's groups allow per turn (0 without a policy).
 *
 * @example
 * ```ts
 * policyMaxOutputTokens(['users']); // 2048
 * ```
 */
export function policyMaxOutputTokens(groups: string[]): number {
  return policiesOf(groups).reduce((max, p) => (p.maxOutputTokens > max ? p.maxOutputTokens : max), 0);
}

/**
 * The caller's day and month limits in USD (most generous group), or null without a policy.
 *
 * @example
 * ```ts
 * policyLimits(['users']); // { dailyUsd: 2, monthlyUsd: 20 }
 * ```
 */
export function policyLimits(groups: string[]): { dailyUsd: number; monthlyUsd: number } | null {
  const policies = policiesOf(groups);
  if (policies.length === 0) return null;
  return {
    dailyUsd: policies.reduce((max, p) => (p.dailyLimitUsd > max ? p.dailyLimitUsd : max), 0),
    monthlyUsd: policies.reduce((max, p) => (p.monthlyLimitUsd > max ? p.monthlyLimitUsd : max), 0),
  };
}
