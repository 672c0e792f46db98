import { describe, expect, it } from 'vitest';
import { parseDirectives } from '../../infra/local/bedrock/faults.js';

describe('parseDirectives', () => {
  it('reads no directives from ordinary text', () => {
    // Act
    const parsed = parseDirectives('What is [[a wiki link]] and [sim:throttle]?');

    // Assess
    expect(parsed).toEqual({ directives: { faults: [], guardrail: false }, problems: [] });
  });

  it.each([
    ['[[sim:throttle]]', { name: 'throttle', attempts: Infinity }],
    ['[[sim:throttle=2]]', { name: 'throttle', attempts: 2 }],
    ['[[sim:throttle@7]]', { name: 'throttle', attempts: Infinity, afterTokens: 7 }],
    ['[[sim:unavailable=1@0]]', { name: 'unavailable', attempts: 1, afterTokens: 0 }],
    ['[[sim:midstream-error@20]]', { name: 'midstream-error', attempts: Infinity, afterTokens: 20 }],
    ['[[sim:midstream-error]]', { name: 'midstream-error', attempts: Infinity, afterTokens: 0 }],
    ['[[sim:validation-error@3]]', { name: 'validation-error', attempts: Infinity, afterTokens: 3 }],
    ['[[sim:internal-error=3]]', { name: 'internal-error', attempts: 3 }],
  ])('reads %s as a fault', (text, fault) => {
    // Act
    const { directives, problems } = parseDirectives(`please ${text} thanks`);

    // Assess
    expect(problems).toEqual([]);
    expect(directives.faults).toEqual([fault]);
  });

  it('reads answer shape and pace directives together', () => {
    // Act
    const { directives } = parseDirectives('[[sim:tokens=500]] [[sim:slow-start=2000]] [[sim:tps=12.5]] [[sim:seed=abc]] [[sim:guardrail]]');

    // Assess
    expect(directives).toEqual({ faults: [], guardrail: true, tokens: 500, slowStartMs: 2000, tokensPerSecond: 12.5, seed: 'abc' });
  });

  it.each([
    ['[[sim:throtle]]', 'unknown directive'],
    ['[[sim:tokens=many]]', 'answer length'],
    ['[[sim:tokens=-1]]', 'answer length'],
    ['[[sim:slow-start=9999999]]', 'delay in milliseconds'],
    ['[[sim:tps=0]]', 'tokens per second'],
    ['[[sim:throttle=0]]', 'number of attempts'],
    ['[[sim:guardrail=yes]]', 'takes no value'],
    ['[[sim:tokens=5@3]]', '@tokens applies only to faults'],
    ['[[sim:Throttle]]', 'expected [[sim:name]]'],
  ])('reports %s as a problem naming it', (text, reason) => {
    // Act
    const { problems } = parseDirectives(text);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(text);
    expect(problems[0]).toContain(reason);
  });
});
