import { describe, expect, it } from 'vitest';
import { GUARDRAIL_MESSAGE, promptKeyOf, simulate } from '../../infra/local/bedrock/simulator.js';
import { tokenize } from '../../infra/local/bedrock/tokenizer.js';
import type { ConverseInput } from '../../infra/local/bedrock/types.js';

const MODEL_ID = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';

function request(text: string, extra: Partial<ConverseInput> = {}): ConverseInput {
  return { modelId: MODEL_ID, messages: [{ role: 'user', content: [{ text }] }], ...extra };
}

describe('simulate', () => {
  it('answers the same prompt and seed with the same text', () => {
    // Act
    const first = simulate(request('Tell me about budgets'));
    const second = simulate(request('Tell me about budgets'));

    // Assess
    expect(second.text).toBe(first.text);
    expect(second.chunks).toEqual(first.chunks);
  });

  it('answers differently for another seed, prompt or model', () => {
    // Prepare
    const base = simulate(request('Tell me about budgets')).text;

    // Act
    const variants = [
      simulate(request('Tell me about budgets', { additionalModelRequestFields: { seed: 7 } })).text,
      simulate(request('Tell me about budgets [[sim:seed=7]]')).text,
      simulate(request('Tell me about caches')).text,
      simulate({ ...request('Tell me about budgets'), modelId: 'amazon.nova-lite-v1:0' }).text,
    ];

    // Assess
    for (const text of variants) expect(text).not.toBe(base);
  });

  it('reports output tokens equal to the pieces it emits, and the text re-tokenizes to them', () => {
    // Act
    const simulation = simulate(request('Explain streaming [[sim:tokens=700]]'));

    // Assess
    expect(simulation.tokens).toHaveLength(700);
    expect(simulation.usage.outputTokens).toBe(700);
    expect(tokenize(simulation.text)).toEqual(simulation.tokens);
    expect(simulation.chunks.join('')).toBe(simulation.text);
    expect(simulation.stopReason).toBe('end_turn');
  });

  it.each([0, 1, 2, 3, 5, 17, 64, 151, 1000])('writes an answer of exactly %i tokens when asked', (tokens) => {
    // Act
    const simulation = simulate(request(`Answer [[sim:tokens=${tokens}]]`));

    // Assess
    expect(tokenize(simulation.text)).toHaveLength(tokens);
    expect(simulation.stopReason).toBe('end_turn');
  });

  it('writes Markdown now and then so chat UIs have something to render', () => {
    // Act
    const texts = Array.from({ length: 20 }, (_, seed) => simulate(request('Long answer [[sim:tokens=400]]', { additionalModelRequestFields: { seed } })).text);

    // Assess
    expect(texts.some((t) => t.includes('\n```'))).toBe(true);
    expect(texts.some((t) => /\n(- |1\. )/.test(t))).toBe(true);
    expect(texts.every((t) => /^[A-Z#]/.test(t) && /[.:a-z]$/.test(t))).toBe(true);
  });

  it('picks a natural length between 40 and 300 tokens when none is asked for', () => {
    // Act
    const lengths = ['a', 'b', 'c', 'd', 'e'].map((p) => simulate(request(p)).usage.outputTokens);

    // Assess
    for (const length of lengths) expect(length).toBeGreaterThanOrEqual(40);
    for (const length of lengths) expect(length).toBeLessThanOrEqual(300);
    expect(new Set(lengths).size).toBeGreaterThan(1);
  });

  it('cuts the answer at maxTokens with stop reason max_tokens', () => {
    // Prepare
    const full = simulate(request('Go on [[sim:tokens=100]]'));

    // Act
    const cut = simulate(request('Go on [[sim:tokens=100]]', { inferenceConfig: { maxTokens: 10 } }));

    // Assess
    expect(cut.stopReason).toBe('max_tokens');
    expect(cut.tokens).toEqual(full.tokens.slice(0, 10));
    expect(cut.usage.outputTokens).toBe(10);
  });

  it('ends before the first stop sequence with stop reason stop_sequence', () => {
    // Prepare
    const full = simulate(request('Go on [[sim:tokens=100]]'));
    const stop = full.tokens[5].trim();

    // Act
    const stopped = simulate(request('Go on [[sim:tokens=100]]', { inferenceConfig: { stopSequences: [stop] } }));

    // Assess
    expect(stopped.stopReason).toBe('stop_sequence');
    expect(stopped.text).toBe(full.text.slice(0, full.text.indexOf(stop)));
    expect(stopped.usage.outputTokens).toBe(tokenize(stopped.text).length);
  });

  it('counts input tokens over system and messages with the same tokenizer', () => {
    // Prepare
    const input: ConverseInput = {
      modelId: MODEL_ID,
      system: [{ text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [{ text: 'Hi there' }] },
        { role: 'assistant', content: [{ text: 'Hello.' }] },
        { role: 'user', content: [{ text: 'Count me,  please\n' }] },
      ],
    };

    // Act
    const { usage } = simulate(input);

    // Assess
    expect(usage.inputTokens).toBe(3 + 2 + 1 + 3);
    expect(usage.totalTokens).toBe(usage.inputTokens + usage.outputTokens);
    expect(usage).not.toHaveProperty('cacheReadInputTokens');
  });

  it('writes the prefix before a cachePoint to the cache, then reads it', () => {
    // Prepare
    const input: ConverseInput = {
      modelId: MODEL_ID,
      system: [{ text: 'A long shared system prompt' }, { cachePoint: { type: 'default' } }],
      messages: [{ role: 'user', content: [{ text: 'Question one' }] }],
    };

    // Act
    const write = simulate(input, { isCached: () => false });
    const read = simulate(input, { isCached: (key) => key === write.cacheKey });

    // Assess
    expect(write.usage).toMatchObject({ inputTokens: 2, cacheWriteInputTokens: 5, cacheReadInputTokens: 0 });
    expect(read.usage).toMatchObject({ inputTokens: 2, cacheWriteInputTokens: 0, cacheReadInputTokens: 5 });
    expect(read.usage.totalTokens).toBe(7 + read.usage.outputTokens);
  });

  it('answers a guardrail directive with the blocked message and guardrail_intervened', () => {
    // Act
    const simulation = simulate(request('Something forbidden [[sim:guardrail]]'));

    // Assess
    expect(simulation.text).toBe(GUARDRAIL_MESSAGE);
    expect(simulation.stopReason).toBe('guardrail_intervened');
  });

  it('refuses the first N attempts of a throttle=N prompt and answers the next', () => {
    // Prepare
    const input = request('Retry me [[sim:throttle=2]]');

    // Act
    const attempts = [1, 2, 3].map((attempt) => simulate(input, { attempt }));

    // Assess
    expect(attempts.map((a) => a.rejection?.error)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
    expect(attempts[2].text).not.toBe('');
  });

  it('breaks the stream after the requested tokens, keeping the text before them', () => {
    // Prepare
    const full = simulate(request('Break [[sim:tokens=50]] [[sim:midstream-error@20]]'), { attempt: 2 });

    // Act
    const broken = simulate(request('Break [[sim:tokens=50]] [[sim:midstream-error@20]]'));

    // Assess
    expect(broken.interruption).toMatchObject({ afterTokens: 20, error: 'ModelStreamErrorException' });
    expect(broken.tokens).toHaveLength(20);
    expect(full.interruption).toMatchObject({ afterTokens: 20 });
  });

  it('turns a mid-stream fault into an error response for Converse', () => {
    // Act
    const simulation = simulate(request('Break [[sim:midstream-error@20]]'), { operation: 'converse' });

    // Assess
    expect(simulation.rejection?.error).toBe('ModelErrorException');
  });

  it('uses the pace from the directives over the model', () => {
    // Act
    const { pace } = simulate(request('Slow [[sim:slow-start=2000]] [[sim:tps=5]]'));

    // Assess
    expect(pace).toEqual({ timeToFirstTokenMs: 2000, tokensPerSecond: 5 });
  });

  it.each([
    [{ modelId: 'acme.unknown-v1' }, 'The provided model identifier is invalid.'],
    [{ inferenceConfig: { maxTokens: 8193 } }, 'exceeds the model limit of 8192'],
    [{ messages: [{ role: 'user', content: [{ text: 'x [[sim:nope]]' }] }] }, '[[sim:nope]]'],
  ])('refuses %j with a ValidationException', (override, message) => {
    // Act
    const simulation = simulate({ ...request('hello'), ...override });

    // Assess
    expect(simulation.rejection?.error).toBe('ValidationException');
    expect(simulation.rejection?.message).toContain(message);
  });

  it('resolves model ARNs and inference profile ids to the same model', () => {
    // Act
    const viaArn = simulate(request('hi', { modelId: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0' }));
    const viaProfile = simulate(request('hi', { modelId: 'eu.amazon.nova-lite-v1:0' }));

    // Assess
    expect(viaArn.rejection).toBeUndefined();
    expect(viaArn.pace).toEqual(viaProfile.pace);
  });

  it('keys attempts by prompt so retries of one request share a count', () => {
    // Act
    const same = promptKeyOf(request('hello')) === promptKeyOf(request('hello'));
    const different = promptKeyOf(request('hello')) === promptKeyOf(request('hello 2'));

    // Assess
    expect(same).toBe(true);
    expect(different).toBe(false);
  });
});
