import { describe, expect, it } from 'vitest';
import { AttemptCounter, PromptCache } from '../../infra/local/bedrock/memory.js';

describe('AttemptCounter', () => {
  it('numbers attempts per key from 1 and starts over after clear', () => {
    // Prepare
    const attempts = new AttemptCounter();

    // Act
    const numbers = [attempts.next('a'), attempts.next('a'), attempts.next('b')];
    attempts.clear();

    // Assess
    expect(numbers).toEqual([1, 2, 1]);
    expect(attempts.next('a')).toBe(1);
  });
});

describe('PromptCache', () => {
  it('holds a prefix for five minutes from its last use', () => {
    // Prepare
    let now = 0;
    const cache = new PromptCache(() => now);

    // Act
    cache.touch('k');
    now = 4 * 60_000;
    const beforeExpiry = cache.has('k');
    cache.touch('k');
    now = 8 * 60_000;
    const afterRefresh = cache.has('k');
    now = 10 * 60_000;
    const afterExpiry = cache.has('k');

    // Assess
    expect([beforeExpiry, afterRefresh, afterExpiry]).toEqual([true, true, false]);
  });
});
