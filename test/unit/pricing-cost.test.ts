import { describe, expect, it } from 'vitest';
import { GROUP_POLICIES } from '../../functions/shared/config.js';
import { MODELS, SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { costMicros, estimateInputTokens, formatUsdExact, integerPrices, microsToUsd, usdToMicros, worstCaseMicros } from '../../functions/shared/pricing.js';
import { findModel } from '../../schema/models.js';

const simulator = findModel(SIMULATOR_MODEL_ID)!;

describe('pricing', () => {
  it('prices every token class at its own rate, cache reads and writes included', () => {
    // Prepare: Claude 3.5 Haiku lists $0.80 in, $4 out, $0.08 cache read, $1 cache write per million.
    const haiku = findModel('anthropic.claude-3-5-haiku-20241022-v1:0')!;
    // Act
    const cost = costMicros(haiku, { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadInputTokens: 1_000_000, cacheWriteInputTokens: 1_000_000 });
    // Assess
    expect(microsToUsd(cost)).toBe(0.8 + 4 + 0.08 + 1);
  });

  it('never prices cache tokens at zero, even for models without prompt caching; only Nova lists free cache writes', () => {
    for (const model of MODELS) {
      const prices = integerPrices(model);
      expect(prices.cacheRead, model.id).toBeGreaterThan(0);
      if (model.id.startsWith('amazon.nova-')) expect(prices.cacheWrite, model.id).toBe(0);
      else expect(prices.cacheWrite, model.id).toBeGreaterThan(0);
    }
  });

  it('rounds a turn up to a whole micro-dollar once, so sums stay exact', () => {
    // Prepare: one Nova Micro input token costs 0.035 micro-USD.
    const micro = findModel('amazon.nova-micro-v1:0')!;
    // Act + Assess
    expect(costMicros(micro, { inputTokens: 1, outputTokens: 0 })).toBe(1);
    expect(costMicros(micro, { inputTokens: 1000, outputTokens: 0 })).toBe(35);
    expect(costMicros(simulator, { inputTokens: 0, outputTokens: 0 })).toBe(0);
  });

  it('reserves the worst case: input at the dearest input-side price plus every allowed output token', () => {
    expect(worstCaseMicros(simulator, 1000, 1000)).toBe(1250 + 5000);
    expect(worstCaseMicros(simulator, 1000, 1000)).toBeGreaterThanOrEqual(costMicros(simulator, { inputTokens: 0, outputTokens: 1000, cacheWriteInputTokens: 1000 }));
  });

  it.each([
    ['us.anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic.claude-3-5-haiku-20241022-v1:0'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0', 'amazon.nova-pro-v1:0'],
  ])('finds %s priced as %s', (requested, priced) => {
    expect(findModel(requested)?.id).toBe(priced);
  });

  it('prices the Global endpoint of 4.5-generation Claude 10% below the Regional one', () => {
    const regional = findModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0')!;
    const global = findModel('global.anthropic.claude-sonnet-4-5-20250929-v1:0')!;
    const million = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(costMicros(regional, million) * 10).toBe(costMicros(global, million) * 11);
  });

  it('does not price unknown models', () => {
    expect(findModel('acme.unknown-v1')).toBeUndefined();
  });

  it('rejects negative or fractional token counts and negative money', () => {
    expect(() => costMicros(simulator, { inputTokens: -1, outputTokens: 0 })).toThrow(RangeError);
    expect(() => costMicros(simulator, { inputTokens: 1.5, outputTokens: 0 })).toThrow(/usage.inputTokens/);
    expect(() => usdToMicros(-0.01)).toThrow(RangeError);
    expect(() => usdToMicros(Number.NaN)).toThrow(RangeError);
  });

  it('converts USD to whole micro-dollars for every configured price', () => {
    for (const model of MODELS) {
      for (const [kind, usd] of Object.entries(model.usdPerMillionTokens)) {
        expect(Math.abs(usd * 1e6 - usdToMicros(usd)), `${model.id} ${kind}`).toBeLessThan(1e-6);
      }
    }
  });

  it('lists only configured models in group policies', () => {
    for (const [group, policy] of Object.entries(GROUP_POLICIES)) {
      for (const id of policy.allowedModels) expect(findModel(id)?.id, `${group}: ${id}`).toBe(id);
    }
  });

  it('estimates input tokens on the high side', () => {
    // Prepare: 400 ASCII characters are about 100 tokens for real tokenizers.
    const estimate = estimateInputTokens(['a'.repeat(400)]);
    // Assess
    expect(estimate).toBeGreaterThanOrEqual(100);
    expect(estimateInputTokens([])).toBe(0);
  });
});

describe('formatUsdExact', () => {
  it.each([
    [0.002, '$0.002'],
    [0.001014, '$0.001014'],
    [0, '$0.00'],
    [1.5, '$1.50'],
    [12.3456789, '$12.345679'],
  ])('shows %s as %s, never hiding a limit below a cent', (usd, shown) => {
    // Act
    const text = formatUsdExact(usd);
    // Assess
    expect(text).toBe(shown);
  });
});
