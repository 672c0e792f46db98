/**
 * The model catalogue: every model the gateway prices and admits, with its list prices,
 * their source, and how Bedrock lets it be invoked. Part of the contract (schema/): the
 * Lambda functions price and admit from it, the resolvers check input against it, the
 * stack grants from it, and the twin serves its simulator entry.
 *
 * Prices are AWS's public on-demand list prices (Standard tier, USD per million tokens,
 * us-east-1); each entry names its source and the date it was read (`priceSource`). They
 * change: re-check them against https://aws.amazon.com/bedrock/pricing/ before relying on
 * the numbers for billing.
 *
 * Each entry also says how Bedrock lets it be invoked (`invocation`): on demand in some
 * Regions, and/or only through system-defined cross-Region inference profiles (`us.`,
 * `eu.`, `apac.`, `global.`). functions/shared/model-invocation.ts turns that into the id
 * the gateway calls in its Region and the ARNs the stack grants; docs/deploy.md has the table.
 * Claude 4.5-generation models cost 10% more through in-Region and geographic (`us.`,
 * `eu.`…) endpoints than through the `global.` inference profile, so both are listed.
 * A model without prompt caching lists its input price for cache tokens, so a cache token
 * is never priced at $0 (LiteLLM #29145 billed Bedrock cache tokens at $0).
 *
 * Written in the APPSYNC_JS subset (no regex literals, try/throw or while): the resolvers
 * bundle it.
 */
/** Geographies of Bedrock's system-defined cross-Region inference profiles, as id prefixes. */
export type InferenceProfileGeo = 'us' | 'eu' | 'apac' | 'global';

/** How Bedrock lets a model be invoked. */
export interface InvocationRule {
  /** Regions where the bare model id may be invoked on demand (`*`: anywhere, the twin's simulator only). */
  onDemandRegions: readonly string[];
  /** Inference profiles (`<geo>.<model id>`) that serve the model, in order of preference. */
  profiles: readonly InferenceProfileGeo[];
  /** Bedrock's CountTokens counts this model, by its bare id, where it runs on demand. */
  countTokens: boolean;
}

/** Where a price came from (a URL, or what Sluice based it on) and when it was read (YYYY-MM or YYYY-MM-DD). */
export interface PriceSource {
  source: string;
  asOf: string;
}

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
  priceSource: PriceSource;
  invocation: InvocationRule;
  /** The most output tokens the model generates in one turn. */
  maxOutputTokens: number;
}

/** AWS's Bedrock price list, the source of every price below. */
const BEDROCK_PRICING = 'https://aws.amazon.com/bedrock/pricing/';
// Taken from public summaries of the price list, offline: re-check against the page.
const PRICE_LIST: PriceSource = { source: BEDROCK_PRICING, asOf: '2025-11' };
// Nova's free cache writes and the prompt-caching model list (Claude 3 Haiku is not on it).
const PRICE_LIST_RECHECKED: PriceSource = {
  source: `${BEDROCK_PRICING} and https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html`,
  asOf: '2026-12-02',
};

/** Available only through these inference profiles: no on-demand Region. */
const profilesOnly = (...profiles: InferenceProfileGeo[]): InvocationRule => ({ onDemandRegions: [], profiles, countTokens: false });

const claude = (id: string, label: string, input: number, output: number, maxOutputTokens: number, invocation: InvocationRule): ModelConfig => ({
  id,
  label,
  provider: 'Anthropic',
  // Anthropic prices cache reads at 0.1x and 5-minute cache writes at 1.25x the input price.
  usdPerMillionTokens: { input, output, cacheRead: round6(input * 0.1), cacheWrite: round6(input * 1.25) },
  priceSource: PRICE_LIST,
  invocation,
  maxOutputTokens,
});

/** A model without prompt caching: cache tokens (which it never reports) are priced as input. */
const flat = (id: string, label: string, provider: ModelConfig['provider'], input: number, output: number, maxOutputTokens: number, invocation: InvocationRule): ModelConfig => ({
  id,
  label,
  provider,
  usdPerMillionTokens: { input, output, cacheRead: input, cacheWrite: input },
  priceSource: PRICE_LIST,
  invocation,
  maxOutputTokens,
});

// Amazon Nova reads cached tokens at a 75% discount, and cache writes cost nothing.
const nova = (id: string, label: string, input: number, output: number, cacheRead: number): ModelConfig => ({
  id,
  label,
  provider: 'Amazon',
  usdPerMillionTokens: { input, output, cacheRead, cacheWrite: 0 },
  priceSource: PRICE_LIST_RECHECKED,
  invocation: { onDemandRegions: ['us-east-1'], profiles: ['us', 'eu', 'apac'], countTokens: false },
  maxOutputTokens: 10_000,
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
    priceSource: { source: 'Sluice: the twin simulator, priced like a small model so budgets move', asOf: '2025-11' },
    // The twin's own model: on demand wherever the twin runs; the cloud stack never grants it.
    invocation: { onDemandRegions: ['*'], profiles: [], countTokens: true },
    maxOutputTokens: 8192,
  },
  // Not on Bedrock's prompt-caching list: cache tokens are priced as input, never at a discount.
  {
    ...flat('anthropic.claude-3-haiku-20240307-v1:0', 'Claude 3 Haiku', 'Anthropic', 0.25, 1.25, 4096, {
      onDemandRegions: ['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1'],
      profiles: ['us', 'eu', 'apac'],
      countTokens: false,
    }),
    priceSource: PRICE_LIST_RECHECKED,
  },
  claude('anthropic.claude-3-5-haiku-20241022-v1:0', 'Claude 3.5 Haiku', 0.8, 4, 8192, { onDemandRegions: ['us-west-2'], profiles: ['us'], countTokens: true }),
  claude('anthropic.claude-haiku-4-5-20251001-v1:0', 'Claude Haiku 4.5 (Regional)', 1.1, 5.5, 64_000, profilesOnly('us', 'eu')),
  claude('global.anthropic.claude-haiku-4-5-20251001-v1:0', 'Claude Haiku 4.5 (Global)', 1, 5, 64_000, profilesOnly('global')),
  claude('anthropic.claude-3-5-sonnet-20241022-v2:0', 'Claude 3.5 Sonnet v2', 3, 15, 8192, { onDemandRegions: ['us-west-2'], profiles: ['us', 'apac'], countTokens: true }),
  claude('anthropic.claude-3-7-sonnet-20250219-v1:0', 'Claude 3.7 Sonnet', 3, 15, 64_000, profilesOnly('us', 'eu', 'apac')),
  claude('anthropic.claude-sonnet-4-20250514-v1:0', 'Claude Sonnet 4', 3, 15, 64_000, profilesOnly('us', 'eu', 'apac')),
  claude('anthropic.claude-sonnet-4-5-20250929-v1:0', 'Claude Sonnet 4.5 (Regional)', 3.3, 16.5, 64_000, profilesOnly('us', 'eu')),
  claude('global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'Claude Sonnet 4.5 (Global)', 3, 15, 64_000, profilesOnly('global')),
  claude('anthropic.claude-opus-4-1-20250805-v1:0', 'Claude Opus 4.1', 15, 75, 32_000, profilesOnly('us')),
  claude('anthropic.claude-opus-4-5-20251101-v1:0', 'Claude Opus 4.5 (Regional)', 5.5, 27.5, 64_000, profilesOnly('us', 'eu')),
  claude('global.anthropic.claude-opus-4-5-20251101-v1:0', 'Claude Opus 4.5 (Global)', 5, 25, 64_000, profilesOnly('global')),
  nova('amazon.nova-micro-v1:0', 'Amazon Nova Micro', 0.035, 0.14, 0.00875),
  nova('amazon.nova-lite-v1:0', 'Amazon Nova Lite', 0.06, 0.24, 0.015),
  nova('amazon.nova-pro-v1:0', 'Amazon Nova Pro', 0.8, 3.2, 0.2),
  flat('meta.llama3-1-8b-instruct-v1:0', 'Llama 3.1 8B Instruct', 'Meta', 0.22, 0.22, 2048, { onDemandRegions: ['us-west-2'], profiles: ['us'], countTokens: false }),
  flat('meta.llama3-1-70b-instruct-v1:0', 'Llama 3.1 70B Instruct', 'Meta', 0.72, 0.72, 2048, { onDemandRegions: ['us-west-2'], profiles: ['us'], countTokens: false }),
  flat('meta.llama3-3-70b-instruct-v1:0', 'Llama 3.3 70B Instruct', 'Meta', 0.72, 0.72, 8192, profilesOnly('us')),
  // Offered in us-west-2 only, with no inference profile.
  flat('mistral.mistral-large-2407-v1:0', 'Mistral Large (24.07)', 'Mistral AI', 2, 6, 8192, { onDemandRegions: ['us-west-2'], profiles: [], countTokens: false }),
  flat('mistral.mistral-small-2402-v1:0', 'Mistral Small (24.02)', 'Mistral AI', 1, 3, 8192, {
    onDemandRegions: ['us-east-1', 'us-west-2', 'eu-west-3'],
    profiles: [],
    countTokens: false,
  }),
];

// The list is readonly; the AppSync linter only knows Array's methods by name.
const ALL_MODELS = MODELS as ModelConfig[];

/** Prefixes of Bedrock's system-defined inference-profile ids (`us.anthropic.…`). */
const INFERENCE_PROFILE_PREFIXES = ['us.', 'us-gov.', 'eu.', 'apac.', 'jp.', 'au.', 'ca.', 'global.'];

/**
 * The catalogue entry for a model id, inference-profile id or either's ARN: an exact
 * entry first, else the entry of the base model (so `us.…` profiles of a listed model are
 * priced as it is). Undefined when Sluice does not list the model. The one lookup: the
 * resolvers, admission, the ledger and pricing all call this.
 *
 * @example
 * ```ts
 * findModel('sluice.simulator')?.maxOutputTokens; // 8192
 * findModel('us.anthropic.claude-3-5-haiku-20241022-v1:0')?.id; // 'anthropic.claude-3-5-haiku-20241022-v1:0'
 * ```
 */
export function findModel(modelId: string): ModelConfig | undefined {
  const id = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  const exact = ALL_MODELS.find((m) => m.id === id);
  if (exact) return exact;
  const prefix = INFERENCE_PROFILE_PREFIXES.find((p) => id.startsWith(p));
  return prefix ? ALL_MODELS.find((m) => m.id === id.slice(prefix.length)) : undefined;
}
