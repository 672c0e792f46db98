/**
 * Sluice's one configuration file: the models the gateway prices and the Cognito group
 * policies that decide who may use which model, with what budget.
 *
 * Prices are AWS's public on-demand list prices (Standard tier, USD per million tokens,
 * us-east-1) as of PRICES_AS_OF. They change: re-check them against
 * https://aws.amazon.com/bedrock/pricing/ before relying on the numbers for billing.
 * Claude 4.5-generation models cost 10% more through in-Region and geographic (`us.`,
 * `eu.`…) endpoints than through the `global.` inference profile, so both are listed.
 * A model without prompt caching lists its input price for cache tokens, so a cache token
 * is never priced at $0 (LiteLLM #29145 billed Bedrock cache tokens at $0).
 */

/**
 * When the list prices below were taken. They come from public summaries of the AWS
 * pricing page, not from the page itself (this table was written offline): re-check.
 */
export const PRICES_AS_OF = '2025-11';

/** USD per million tokens, as AWS lists them. */
export interface PricePerMillionTokens {
  input: number;
  output: number;
  cacheRead: number;
  /** 5-minute cache writes (the Converse API's default `cachePoint`). */
  cacheWrite: number;
}

/** One model the gateway can price and admit. */
export interface ModelConfig {
  /** Bedrock model id or inference-profile id, exactly as sent to `ConverseStream`. */
  id: string;
  label: string;
  provider: 'Anthropic' | 'Amazon' | 'Meta' | 'Mistral AI' | 'Sluice';
  usdPerMillionTokens: PricePerMillionTokens;
  /** The most output tokens the model generates in one turn. */
  maxOutputTokens: number;
}

/** What members of one Cognito group may do. */
export interface GroupPolicy {
  /** Model ids from {@link MODELS} (an entry also admits its `us.`/`eu.`… profiles). */
  allowedModels: readonly string[];
  dailyLimitUsd: number;
  monthlyLimitUsd: number;
  /** Cap on `maxTokens` per turn (the model's own cap applies too). */
  maxOutputTokens: number;
  requestsPerMinute: number;
}

const claude = (id: string, label: string, input: number, output: number, maxOutputTokens: number): ModelConfig => ({
  id,
  label,
  provider: 'Anthropic',
  // Anthropic prices cache reads at 0.1x and 5-minute cache writes at 1.25x the input price.
  usdPerMillionTokens: { input, output, cacheRead: round6(input * 0.1), cacheWrite: round6(input * 1.25) },
  maxOutputTokens,
});

const flat = (id: string, label: string, provider: ModelConfig['provider'], input: number, output: number, maxOutputTokens: number, cacheRead = input): ModelConfig => ({
  id,
  label,
  provider,
  usdPerMillionTokens: { input, output, cacheRead, cacheWrite: input },
  maxOutputTokens,
});

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The model id of the twin's built-in simulator (priced like a small model). */
export const SIMULATOR_MODEL_ID = 'sluice.simulator';

/** Every model Sluice prices. A request for a model not here is refused. */
export const MODELS: readonly ModelConfig[] = [
  {
    id: SIMULATOR_MODEL_ID,
    label: 'Sluice simulator (local twin)',
    provider: 'Sluice',
    usdPerMillionTokens: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
    maxOutputTokens: 8192,
  },
  claude('anthropic.claude-3-haiku-20240307-v1:0', 'Claude 3 Haiku', 0.25, 1.25, 4096),
  claude('anthropic.claude-3-5-haiku-20241022-v1:0', 'Claude 3.5 Haiku', 0.8, 4, 8192),
  claude('anthropic.claude-haiku-4-5-20251001-v1:0', 'Claude Haiku 4.5 (Regional)', 1.1, 5.5, 64_000),
  claude('global.anthropic.claude-haiku-4-5-20251001-v1:0', 'Claude Haiku 4.5 (Global)', 1, 5, 64_000),
  claude('anthropic.claude-3-5-sonnet-20241022-v2:0', 'Claude 3.5 Sonnet v2', 3, 15, 8192),
  claude('anthropic.claude-3-7-sonnet-20250219-v1:0', 'Claude 3.7 Sonnet', 3, 15, 64_000),
  claude('anthropic.claude-sonnet-4-20250514-v1:0', 'Claude Sonnet 4', 3, 15, 64_000),
  claude('anthropic.claude-sonnet-4-5-20250929-v1:0', 'Claude Sonnet 4.5 (Regional)', 3.3, 16.5, 64_000),
  claude('global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'Claude Sonnet 4.5 (Global)', 3, 15, 64_000),
  claude('anthropic.claude-opus-4-1-20250805-v1:0', 'Claude Opus 4.1', 15, 75, 32_000),
  claude('anthropic.claude-opus-4-5-20251101-v1:0', 'Claude Opus 4.5 (Regional)', 5.5, 27.5, 64_000),
  claude('global.anthropic.claude-opus-4-5-20251101-v1:0', 'Claude Opus 4.5 (Global)', 5, 25, 64_000),
  // Amazon Nova bills cache writes at the input price and cache reads at a 75% discount.
  flat('amazon.nova-micro-v1:0', 'Amazon Nova Micro', 'Amazon', 0.035, 0.14, 10_000, 0.00875),
  flat('amazon.nova-lite-v1:0', 'Amazon Nova Lite', 'Amazon', 0.06, 0.24, 10_000, 0.015),
  flat('amazon.nova-pro-v1:0', 'Amazon Nova Pro', 'Amazon', 0.8, 3.2, 10_000, 0.2),
  flat('meta.llama3-1-8b-instruct-v1:0', 'Llama 3.1 8B Instruct', 'Meta', 0.22, 0.22, 2048),
  flat('meta.llama3-1-70b-instruct-v1:0', 'Llama 3.1 70B Instruct', 'Meta', 0.72, 0.72, 2048),
  flat('meta.llama3-3-70b-instruct-v1:0', 'Llama 3.3 70B Instruct', 'Meta', 0.72, 0.72, 8192),
  flat('mistral.mistral-large-2407-v1:0', 'Mistral Large (24.07)', 'Mistral AI', 2, 6, 8192),
  flat('mistral.mistral-small-2402-v1:0', 'Mistral Small (24.02)', 'Mistral AI', 1, 3, 8192),
];

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
