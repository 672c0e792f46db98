/**
 * The twin's built-in model: deterministic text, exact token counts, fault injection.
 *
 * Directives go in the prompt text (the system prompt or the last user message), so they
 * work through any client, the gateway and the web app included. Several may be combined.
 * `N` attempts count per prompt (model + prompt text + seed) on one twin server.
 *
 * | directive | ConverseStream | Converse |
 * |---|---|---|
 * | `[[sim:tokens=N]]` | answer of exactly N tokens, `end_turn` (unless `maxTokens` is lower) | same |
 * | `[[sim:seed=S]]` | another deterministic answer (same as `additionalModelRequestFields.seed`) | same |
 * | `[[sim:slow-start=MS]]` | first text after MS milliseconds | response after MS + generation time |
 * | `[[sim:tps=N]]` | N tokens per second after the first | same |
 * | `[[sim:guardrail]]` | short refusal text, stopReason `guardrail_intervened` | same |
 * | `[[sim:throttle]]` | HTTP 429 `ThrottlingException` on every attempt | same |
 * | `[[sim:throttle=N]]` | 429 on the first N attempts, then the normal answer | same |
 * | `[[sim:throttle@K]]` | `throttlingException` event after K tokens | 429 |
 * | `[[sim:unavailable]]`, `=N`, `@K` | 503 `ServiceUnavailableException` / `serviceUnavailableException` event | 503 |
 * | `[[sim:validation-error]]`, `=N`, `@K` | 400 `ValidationException` / `validationException` event | 400 |
 * | `[[sim:internal-error]]`, `=N`, `@K` | 500 `InternalServerException` / `internalServerException` event | 500 |
 * | `[[sim:midstream-error@K]]`, `=N` | `modelStreamErrorException` event after K tokens (K defaults to 0) | 424 `ModelErrorException` |
 *
 * `=N` and `@K` combine: `[[sim:midstream-error=1@20]]` breaks the first attempt after 20
 * tokens and answers the retry in full. An unknown directive or bad value is a 400
 * `ValidationException` naming it.
 * @module
 */
import { FAULTS, parseDirectives, type FaultDirective } from './faults.js';
import { DEFAULT_MAX_TOKENS, DEFAULT_MODELS, resolveModel } from './models.js';
import { readPrompt } from './prompt.js';
import { composeAnswer } from './prose.js';
import { digest, intBetween, seededRandom, type Random } from './random.js';
import { tokenize } from './tokenizer.js';
import {
  BEDROCK_ERROR,
  STOP_REASON,
  type BedrockErrorName,
  type ConverseInput,
  type SimulatedInterruption,
  type SimulatedModel,
  type SimulatedStopReason,
  type Simulation,
} from './types.js';

/** The text a guardrail puts in place of the answer (Bedrock's default blocked-output message). */
export const GUARDRAIL_MESSAGE = 'Sorry, the model cannot answer this question.';
const MIN_NATURAL_ANSWER_IN_TOKENS = 40;
const MAX_NATURAL_ANSWER_IN_TOKENS = 300;

/** Context that is not part of the request. */
export interface SimulateOptions {
  /** Models to resolve `modelId` in. @default DEFAULT_MODELS */
  models?: Readonly<Record<string, SimulatedModel>>;
  /** Which attempt at this prompt this is, 1-based, for `[[sim:fault=N]]`. @default 1 */
  attempt?: number;
  /** Whether the prompt's cacheable prefix (`Simulation.cacheKey`) is already cached. @default () => false */
  isCached?: (cacheKey: string) => boolean;
  /** `'converse'` turns mid-stream faults into error responses. @default 'converse-stream' */
  operation?: 'converse' | 'converse-stream';
}

/**
 * Answers one Converse / ConverseStream request the way the twin will, without a server:
 * tests call it with the input they send to compute the exact text, usage and stop reason.
 * Assumes the request is well formed (roles alternate, content present); the twin checks
 * that first. Model-level refusals (unknown model, `maxTokens` over the limit, prompt too
 * long, bad directives, requested faults) come back as `rejection`.
 * @example
 * const expected = simulate({ modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
 *   messages: [{ role: 'user', content: [{ text: 'Hello [[sim:tokens=20]]' }] }] });
 * expected.usage.outputTokens; // 20
 */
export function simulate(input: ConverseInput, options: SimulateOptions = {}): Simulation {
  const { modelId, model, prompt, directives, problems, promptKey } = identify(input, options.models);
  const pace = {
    timeToFirstTokenMs: directives.slowStartMs ?? model?.pace.timeToFirstTokenMs ?? 0,
    tokensPerSecond: directives.tokensPerSecond ?? model?.pace.tokensPerSecond ?? 1,
  };
  const cacheKey = prompt.cachedPrefix && digest(modelId, JSON.stringify(prompt.cachedPrefix));
  const base = { modelId: model?.id ?? modelId, pace, promptKey, ...(cacheKey ? { cacheKey } : {}) };
  const refuse = (error: BedrockErrorName, message: string): Simulation => ({
    ...base,
    text: '',
    tokens: [],
    chunks: [],
    stopReason: STOP_REASON.END_TURN,
    usage: { inputTokens: prompt.inputTokens, outputTokens: 0, totalTokens: prompt.inputTokens },
    rejection: { error, message },
  });

  if (!model) return refuse(BEDROCK_ERROR.VALIDATION, 'The provided model identifier is invalid.');
  const maxTokens = input.inferenceConfig?.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, model.maxOutputTokens);
  if (maxTokens > model.maxOutputTokens) {
    return refuse(
      BEDROCK_ERROR.VALIDATION,
      `The maximum tokens you requested exceeds the model limit of ${model.maxOutputTokens}. Try again with a maximum tokens value that is lower than ${model.maxOutputTokens}.`,
    );
  }
  if (prompt.inputTokens > model.contextWindowTokens) return refuse(BEDROCK_ERROR.VALIDATION, 'Input is too long for requested model.');
  if (problems.length > 0) return refuse(BEDROCK_ERROR.VALIDATION, `Unreadable simulator directive ${problems.join('; ')}`);

  const attempt = options.attempt ?? 1;
  const active = directives.faults.filter((f) => attempt <= f.attempts);
  const streaming = (options.operation ?? 'converse-stream') === 'converse-stream';
  const refusal = active.find((f) => f.afterTokens === undefined || !streaming);
  if (refusal) {
    const error = refusal.name === 'midstream-error' ? BEDROCK_ERROR.MODEL_ERROR : FAULTS[refusal.name].error;
    const message = refusal.name === 'midstream-error' ? 'The system encountered an unexpected error during processing. Try your request again.' : FAULTS[refusal.name].message;
    return refuse(error, message);
  }

  const random = seededRandom(digest('answer', promptKey));
  const length = directives.tokens ?? intBetween(random, MIN_NATURAL_ANSWER_IN_TOKENS, MAX_NATURAL_ANSWER_IN_TOKENS);
  const answer = finish(directives.guardrail ? tokenize(GUARDRAIL_MESSAGE) : composeAnswer(random, length), {
    maxTokens,
    stopSequences: input.inferenceConfig?.stopSequences ?? [],
    guardrail: directives.guardrail,
  });
  const interruption = interrupt(active, answer.tokens.length);
  const tokens = interruption ? answer.tokens.slice(0, interruption.afterTokens) : answer.tokens;
  const cached = cacheKey ? (options.isCached?.(cacheKey) ?? false) : false;
  const cacheTokens = prompt.cachedPrefixTokens;
  const inputTokens = prompt.inputTokens - cacheTokens;
  return {
    ...base,
    text: tokens.join(''),
    tokens,
    chunks: group(random, tokens),
    stopReason: answer.stopReason,
    usage: {
      inputTokens,
      outputTokens: tokens.length,
      totalTokens: prompt.inputTokens + tokens.length,
      ...(cacheKey ? { cacheReadInputTokens: cached ? cacheTokens : 0, cacheWriteInputTokens: cached ? 0 : cacheTokens } : {}),
    },
    ...(interruption ? { interruption } : {}),
  };
}

/**
 * The key the twin counts attempts under: model, prompt text and seed. Retries of one
 * request share it; add a nonce to the prompt to give a test its own count.
 * @example
 * const attempt = (attempts.get(promptKeyOf(input)) ?? 0) + 1;
 */
export function promptKeyOf(input: ConverseInput, models?: Readonly<Record<string, SimulatedModel>>): string {
  return identify(input, models).promptKey;
}

function identify(input: ConverseInput, models: Readonly<Record<string, SimulatedModel>> = DEFAULT_MODELS) {
  const modelId = input.modelId ?? '';
  const model = resolveModel(modelId, models);
  const prompt = readPrompt(input);
  const { directives, problems } = parseDirectives(prompt.directiveText);
  const seed = directives.seed ?? seedField(input.additionalModelRequestFields) ?? '0';
  const promptKey = digest(model?.id ?? modelId, JSON.stringify(prompt.turns), seed);
  return { modelId, model, prompt, directives, problems, promptKey };
}

// Applies the guardrail, stop sequences and maxTokens to the full answer.
function finish(
  pieces: string[],
  limits: { maxTokens: number; stopSequences: string[]; guardrail: boolean },
): { tokens: string[]; stopReason: SimulatedStopReason } {
  if (limits.guardrail) return { tokens: pieces, stopReason: STOP_REASON.GUARDRAIL_INTERVENED };
  const text = pieces.join('');
  const stops = limits.stopSequences.map((s) => (s ? text.indexOf(s) : -1)).filter((at) => at >= 0);
  if (stops.length > 0) {
    // Like Claude, the output ends just before the stop sequence, which is not returned.
    const cut = tokenize(text.slice(0, Math.min(...stops)));
    if (cut.length <= limits.maxTokens) return { tokens: cut, stopReason: STOP_REASON.STOP_SEQUENCE };
  }
  if (pieces.length > limits.maxTokens) return { tokens: pieces.slice(0, limits.maxTokens), stopReason: STOP_REASON.MAX_TOKENS };
  return { tokens: pieces, stopReason: STOP_REASON.END_TURN };
}

// The earliest mid-stream fault wins; one set beyond the answer fires after the last token.
function interrupt(active: FaultDirective[], answerTokens: number): SimulatedInterruption | undefined {
  const first = active.filter((f) => f.afterTokens !== undefined).sort((a, b) => (a.afterTokens ?? 0) - (b.afterTokens ?? 0))[0];
  if (!first) return undefined;
  return { afterTokens: Math.min(first.afterTokens ?? 0, answerTokens), error: FAULTS[first.name].error, message: FAULTS[first.name].message };
}

// Bedrock sends a delta per token or per few tokens; mimic that rhythm.
function group(random: Random, tokens: string[]): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const roll = random();
    const size = roll < 0.55 ? 1 : roll < 0.85 ? 2 : 3;
    chunks.push(tokens.slice(i, i + size).join(''));
    i += size;
  }
  return chunks;
}

function seedField(fields: unknown): string | undefined {
  if (typeof fields !== 'object' || fields === null || !('seed' in fields)) return undefined;
  const { seed } = fields as { seed: unknown };
  return typeof seed === 'number' || typeof seed === 'string' ? String(seed) : undefined;
}
