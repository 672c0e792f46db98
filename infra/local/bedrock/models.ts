import type { SimulatedModel, SimulatorPace } from './types.js';

/** Pace of a model the catalog does not tune. */
export const DEFAULT_PACE: SimulatorPace = { timeToFirstTokenMs: 300, tokensPerSecond: 80 };
/** Output limit of a model the catalog does not tune (Claude 3.5's). */
export const DEFAULT_MAX_OUTPUT_IN_TOKENS = 8192;
/** `maxTokens` when a request leaves it out (Converse fills in a model default). */
export const DEFAULT_MAX_TOKENS = 4096;
export const DEFAULT_CONTEXT_WINDOW_IN_TOKENS = 200_000;

/**
 * Foundation models the twin knows out of the box, with a pace in the range each family
 * shows on Bedrock so demos feel right. Cross-Region inference profile ids (`us.…`,
 * `eu.…`, `global.…`) of these resolve to the same entry.
 */
export const DEFAULT_MODELS: Readonly<Record<string, SimulatedModel>> = {
  'anthropic.claude-3-haiku-20240307-v1:0': { timeToFirstTokenMs: 250, tokensPerSecond: 120, maxOutputTokens: 4096 },
  'anthropic.claude-3-5-haiku-20241022-v1:0': { timeToFirstTokenMs: 300, tokensPerSecond: 100 },
  'anthropic.claude-haiku-4-5-20251001-v1:0': { timeToFirstTokenMs: 300, tokensPerSecond: 110, maxOutputTokens: 64_000 },
  'anthropic.claude-3-5-sonnet-20241022-v2:0': { timeToFirstTokenMs: 500, tokensPerSecond: 70 },
  'anthropic.claude-3-7-sonnet-20250219-v1:0': { timeToFirstTokenMs: 500, tokensPerSecond: 70, maxOutputTokens: 64_000 },
  'anthropic.claude-sonnet-4-20250514-v1:0': { timeToFirstTokenMs: 600, tokensPerSecond: 65, maxOutputTokens: 64_000 },
  'anthropic.claude-sonnet-4-5-20250929-v1:0': { timeToFirstTokenMs: 600, tokensPerSecond: 65, maxOutputTokens: 64_000 },
  'anthropic.claude-opus-4-1-20250805-v1:0': { timeToFirstTokenMs: 900, tokensPerSecond: 40, maxOutputTokens: 32_000 },
  'amazon.nova-micro-v1:0': { timeToFirstTokenMs: 200, tokensPerSecond: 180, maxOutputTokens: 10_000, contextWindowTokens: 128_000 },
  'amazon.nova-lite-v1:0': { timeToFirstTokenMs: 250, tokensPerSecond: 150, maxOutputTokens: 10_000, contextWindowTokens: 300_000 },
  'amazon.nova-pro-v1:0': { timeToFirstTokenMs: 400, tokensPerSecond: 90, maxOutputTokens: 10_000, contextWindowTokens: 300_000 },
  'meta.llama3-1-8b-instruct-v1:0': { timeToFirstTokenMs: 250, tokensPerSecond: 140, maxOutputTokens: 2048, contextWindowTokens: 128_000 },
  'meta.llama3-1-70b-instruct-v1:0': { timeToFirstTokenMs: 450, tokensPerSecond: 60, maxOutputTokens: 2048, contextWindowTokens: 128_000 },
  'mistral.mistral-large-2407-v1:0': { timeToFirstTokenMs: 450, tokensPerSecond: 60, contextWindowTokens: 128_000 },
};

const INFERENCE_PROFILE_PREFIX = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\./;

/** A model the twin found for a request's model id. */
export interface ResolvedModel {
  /** The id as the request named it, an ARN reduced to its last path segment. */
  id: string;
  pace: SimulatorPace;
  maxOutputTokens: number;
  contextWindowTokens: number;
}

/**
 * Looks up a model id, inference profile id or their ARN in a catalog; undefined if the
 * twin does not serve it (Bedrock answers that with a ValidationException).
 * @example
 * resolveModel('us.anthropic.claude-3-5-haiku-20241022-v1:0', DEFAULT_MODELS)?.pace.tokensPerSecond; // 100
 */
export function resolveModel(modelId: string, catalog: Readonly<Record<string, SimulatedModel>>): ResolvedModel | undefined {
  const id = modelId.startsWith('arn:') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
  const entry = catalog[id] ?? catalog[id.replace(INFERENCE_PROFILE_PREFIX, '')];
  if (!entry) return undefined;
  return {
    id,
    pace: {
      timeToFirstTokenMs: entry.timeToFirstTokenMs ?? DEFAULT_PACE.timeToFirstTokenMs,
      tokensPerSecond: entry.tokensPerSecond ?? DEFAULT_PACE.tokensPerSecond,
    },
    maxOutputTokens: entry.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_IN_TOKENS,
    contextWindowTokens: entry.contextWindowTokens ?? DEFAULT_CONTEXT_WINDOW_IN_TOKENS,
  };
}
