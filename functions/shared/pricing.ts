/**
 * Prices and money. Sluice counts money in integer micro-dollars (1 USD = 1,000,000
 * micro-USD): sums of integers are exact, so the ledger adds up to the cent however many
 * turns it holds, where floating-point dollars would drift.
 */
import type { ModelConfig } from '../../schema/models.js';

/** Micro-dollars in one US dollar. */
export const MICROS_PER_USD = 1_000_000;
/** Tokens a per-million price is quoted for. */
const TOKENS_PER_PRICE_UNIT = 1_000_000;

/** Token counts as Bedrock's Converse `usage` reports them (cache tokens are not part of `inputTokens`). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** A model's prices as integer micro-USD per million tokens, so costs are integer products. */
export interface IntegerPrices {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * A model's list prices in integer micro-USD per million tokens.
 * @example
 * integerPrices(findModel('sluice.simulator')!).output; // 5_000_000
 */
export function integerPrices(model: ModelConfig): IntegerPrices {
  const p = model.usdPerMillionTokens;
  return { input: usdToMicros(p.input), output: usdToMicros(p.output), cacheRead: usdToMicros(p.cacheRead), cacheWrite: usdToMicros(p.cacheWrite) };
}

/**
 * What a turn costs, in micro-USD, from Bedrock's usage: every token class at its own
 * price, rounded up once per turn to a whole micro-dollar.
 * @example
 * costMicros(findModel('sluice.simulator')!, { inputTokens: 1000, outputTokens: 200 }); // 2000
 */
export function costMicros(model: ModelConfig, usage: TokenUsage): number {
  const tokens = checkedUsage(usage);
  const prices = integerPrices(model);
  const scaled =
    tokens.inputTokens * prices.input +
    tokens.outputTokens * prices.output +
    tokens.cacheReadInputTokens * prices.cacheRead +
    tokens.cacheWriteInputTokens * prices.cacheWrite;
  return Math.ceil(scaled / TOKENS_PER_PRICE_UNIT);
}

/**
 * The most a turn can cost: every input token at the dearest input-side price (a prompt
 * may be written to the cache) and every allowed output token. Admission reserves this.
 * @example
 * worstCaseMicros(findModel('sluice.simulator')!, 1000, 1000); // 6250
 */
export function worstCaseMicros(model: ModelConfig, inputTokensEstimate: number, maxOutputTokens: number): number {
  checkCount(inputTokensEstimate, 'inputTokensEstimate');
  checkCount(maxOutputTokens, 'maxOutputTokens');
  const prices = integerPrices(model);
  const inputPrice = Math.max(prices.input, prices.cacheRead, prices.cacheWrite);
  return Math.ceil((inputTokensEstimate * inputPrice + maxOutputTokens * prices.output) / TOKENS_PER_PRICE_UNIT);
}

/**
 * Micro-USD as a USD number. Exact to the micro-dollar (6 decimals); every USD figure
 * Sluice exposes goes through here so they round the same way.
 * @example
 * microsToUsd(1_234_567); // 1.234567
 */
export function microsToUsd(micros: number): number {
  return micros / MICROS_PER_USD;
}

/**
 * A USD amount as micro-USD, rounded to the nearest micro-dollar. Throws a RangeError for
 * a negative or non-finite amount.
 * @example
 * usdToMicros(0.035); // 35_000
 */
export function usdToMicros(usd: number): number {
  if (!Number.isFinite(usd) || usd < 0) throw new RangeError(`a USD amount must be a finite number ≥ 0, got ${usd}`);
  const micros = Math.round(usd * MICROS_PER_USD);
  if (!Number.isSafeInteger(micros)) throw new RangeError(`USD amount too large: ${usd}`);
  return micros;
}

/** Average UTF-8 bytes per token is about 4 for English; 3 keeps the estimate on the high side. */
const BYTES_PER_TOKEN_ESTIMATE = 3;
/** Per-message framing tokens the model adds (role markers, separators). */
const TOKENS_PER_MESSAGE_OVERHEAD = 8;

/**
 * A USD amount for a message, exact to the ledger's micro-dollar: at least cents, and as
 * many more digits (up to 6) as the amount has, so a $0.002 limit never reads "$0.00".
 *
 * @example
 * formatUsdExact(0.002) // "$0.002"; formatUsdExact(1.5) // "$1.50"; formatUsdExact(0.001014) // "$0.001014"
 */
export function formatUsdExact(usd: number): string {
  const micros = Math.round(Math.abs(usd) * MICROS_PER_USD);
  const sign = usd < 0 && micros > 0 ? '-' : '';
  const [whole, fraction] = (micros / MICROS_PER_USD).toFixed(6).split('.') as [string, string];
  return `${sign}$${whole}.${fraction.replace(/0{1,4}$/, '')}`;
}

/**
 * A deliberately high estimate of the input tokens of a prompt, for admission before
 * Bedrock has counted them. Settlement replaces it with Bedrock's count.
 * @example
 * estimateInputTokens(['Hello there']); // 12
 */
export function estimateInputTokens(messages: readonly string[]): number {
  return messages.reduce((sum, text) => sum + Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN_ESTIMATE) + TOKENS_PER_MESSAGE_OVERHEAD, 0);
}

/** Usage with every field present, or a RangeError naming the bad field. */
export function checkedUsage(usage: TokenUsage): Required<TokenUsage> {
  const checked = {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheReadInputTokens: usage.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: usage.cacheWriteInputTokens ?? 0,
  };
  for (const [field, value] of Object.entries(checked)) checkCount(value, `usage.${field}`);
  return checked;
}

function checkCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${field} must be a whole number ≥ 0, got ${value}`);
}
