/**
 * Sluice's policy configuration: the Cognito group policies that decide who may use which
 * model (from the catalogue in schema/models.ts), with what budget, and the ledger's timings.
 */
import { MODELS, SIMULATOR_MODEL_ID } from '../../schema/models.js';

/** What members of one Cognito group may do. */
export interface GroupPolicy {
  /** Model ids from the catalogue (schema/models.ts) (an entry also admits its `us.`/`eu.`… profiles). */
  allowedModels: readonly string[];
  dailyLimitUsd: number;
  monthlyLimitUsd: number;
  /** Cap on `maxTokens` per turn (the model's own cap applies too). */
  maxOutputTokens: number;
  requestsPerMinute: number;
}

const EVERYDAY_MODELS = [
  SIMULATOR_MODEL_ID,
  'amazon.nova-micro-v1:0',
  'amazon.nova-lite-v1:0',
  'anthropic.claude-3-haiku-20240307-v1:0',
  'anthropic.claude-3-5-haiku-20241022-v1:0',
  'global.anthropic.claude-haiku-4-5-20251001-v1:0',
] as const;

const POWER_MODELS = [
  ...EVERYDAY_MODELS,
  'anthropic.claude-haiku-4-5-20251001-v1:0',
  'amazon.nova-pro-v1:0',
  'anthropic.claude-3-7-sonnet-20250219-v1:0',
  'anthropic.claude-sonnet-4-20250514-v1:0',
  'anthropic.claude-sonnet-4-5-20250929-v1:0',
  'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'meta.llama3-1-8b-instruct-v1:0',
  'meta.llama3-1-70b-instruct-v1:0',
  'meta.llama3-3-70b-instruct-v1:0',
  'mistral.mistral-large-2407-v1:0',
  'mistral.mistral-small-2402-v1:0',
] as const;

/**
 * Policies by Cognito group name. A user in no group listed here may do nothing (deny by
 * default); a user in several gets the most generous combination (see policy.ts).
 */
export const GROUP_POLICIES: Readonly<Record<string, GroupPolicy>> = {
  users: { allowedModels: EVERYDAY_MODELS, dailyLimitUsd: 2, monthlyLimitUsd: 20, maxOutputTokens: 2048, requestsPerMinute: 10 },
  'power-users': { allowedModels: POWER_MODELS, dailyLimitUsd: 20, monthlyLimitUsd: 200, maxOutputTokens: 8192, requestsPerMinute: 30 },
  admins: { allowedModels: MODELS.map((m) => m.id), dailyLimitUsd: 100, monthlyLimitUsd: 1000, maxOutputTokens: 64_000, requestsPerMinute: 60 },
};

/**
 * The order in which a user's groups name the `group` metric dimension and label: the
 * first group here the user belongs to. It does not change limits (those combine).
 */
export const GROUP_RANK: readonly string[] = ['admins', 'power-users', 'users'];

/** How long a reservation holds budget before the sweeper releases it: the streaming Lambda's 15-minute maximum plus a minute. */
export const RESERVATION_TTL_IN_SECONDS = 16 * 60;

/** How long a closed reservation is kept so a late retry of its settlement stays a no-op (then DynamoDB TTL deletes it). */
export const RESERVATION_RETENTION_IN_SECONDS = 40 * 24 * 60 * 60;
