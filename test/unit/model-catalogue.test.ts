// The model catalogue (schema/models.ts): every entry says how Bedrock lets it be
// invoked and where its prices come from, and the gateway calls the id AWS accepts in its Region.
import { describe, expect, it } from 'vitest';
import { MODELS, SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { countsTokens, invocationModelId, modelIdVerdict } from '../../functions/shared/model-invocation.js';
import { findModel } from '../../schema/models.js';

describe('the model catalogue', () => {
  it.each(MODELS.map((m) => [m.id, m] as const))('%s has an invocation rule and a dated price source', (_id, model) => {
    // Assess
    expect(model.invocation.onDemandRegions.length + model.invocation.profiles.length).toBeGreaterThan(0);
    expect(typeof model.invocation.countTokens).toBe('boolean');
    expect(model.priceSource.source).toMatch(/\S/);
    expect(model.priceSource.asOf).toMatch(/^20\d\d-(0[1-9]|1[0-2])(-([0-2]\d|3[01]))?$/);
  });

  it('prices Nova cache writes at $0, as AWS lists them', () => {
    for (const id of ['amazon.nova-micro-v1:0', 'amazon.nova-lite-v1:0', 'amazon.nova-pro-v1:0']) {
      expect(findModel(id)?.usdPerMillionTokens.cacheWrite).toBe(0);
    }
  });

  it('gives Claude 3 Haiku no prompt-caching discount: it is not on Bedrock\'s caching list', () => {
    const prices = findModel('anthropic.claude-3-haiku-20240307-v1:0')!.usdPerMillionTokens;
    expect([prices.cacheRead, prices.cacheWrite]).toEqual([prices.input, prices.input]);
  });
});

describe('the id the gateway calls', () => {
  it.each([
    ['a profile-only model calls its us. profile from us-east-1', 'anthropic.claude-3-7-sonnet-20250219-v1:0', 'us-east-1', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['… and its eu. profile from eu-central-1', 'anthropic.claude-sonnet-4-20250514-v1:0', 'eu-central-1', 'eu.anthropic.claude-sonnet-4-20250514-v1:0'],
    ['Llama 3.x needs a profile outside us-west-2', 'meta.llama3-1-70b-instruct-v1:0', 'us-east-1', 'us.meta.llama3-1-70b-instruct-v1:0'],
    ['Llama 3.1 runs on demand in us-west-2', 'meta.llama3-1-70b-instruct-v1:0', 'us-west-2', 'meta.llama3-1-70b-instruct-v1:0'],
    ['an on-demand model keeps its bare id', 'anthropic.claude-3-haiku-20240307-v1:0', 'us-east-1', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['a global entry is already a profile id', 'global.anthropic.claude-opus-4-5-20251101-v1:0', 'eu-west-1', 'global.anthropic.claude-opus-4-5-20251101-v1:0'],
    ['the simulator runs on demand anywhere', SIMULATOR_MODEL_ID, 'us-east-1', SIMULATOR_MODEL_ID],
  ])('%s', (_name, modelId, region, expected) => {
    expect(invocationModelId(modelId, region)).toBe(expected);
  });

  it('says what Bedrock answers for each id in a Region', () => {
    expect(modelIdVerdict('anthropic.claude-opus-4-1-20250805-v1:0', 'us-east-1')).toBe('needsProfile');
    expect(modelIdVerdict('us.anthropic.claude-opus-4-1-20250805-v1:0', 'us-east-1')).toBe('serves');
    expect(modelIdVerdict('eu.anthropic.claude-opus-4-1-20250805-v1:0', 'us-east-1')).toBe('notOffered');
    expect(modelIdVerdict('mistral.mistral-large-2407-v1:0', 'us-east-1')).toBe('notOffered');
    expect(modelIdVerdict('mistral.mistral-large-2407-v1:0', 'us-west-2')).toBe('serves');
    expect(modelIdVerdict('some.unknown-model-v1:0', 'us-east-1')).toBeUndefined();
  });

  it('counts tokens only for bare ids of supported models where they run on demand', () => {
    expect(countsTokens('anthropic.claude-3-5-haiku-20241022-v1:0', 'us-west-2')).toBe(true);
    expect(countsTokens('anthropic.claude-3-5-haiku-20241022-v1:0', 'us-east-1')).toBe(false);
    expect(countsTokens('us.anthropic.claude-3-5-haiku-20241022-v1:0', 'us-west-2')).toBe(false);
    expect(countsTokens('amazon.nova-micro-v1:0', 'us-east-1')).toBe(false);
    expect(countsTokens(SIMULATOR_MODEL_ID, 'us-east-1')).toBe(true);
  });
});
