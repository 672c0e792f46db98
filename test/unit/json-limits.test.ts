import { describe, expect, it } from 'vitest';
import { JsonDepthError, jsonTextTooDeep, parseJsonWithin, stringifyJsonWithin, valueTooDeep } from '../../functions/shared/json-limits.js';

/** A value of `depth` nested arrays, built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('JSON with a nesting limit', () => {
  it('refuses text nesting 10,000 levels with a JsonDepthError, not a stack overflow', () => {
    // Prepare
    const text = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;

    // Act
    const parse = () => parseJsonWithin(text);

    // Assess
    expect(parse).toThrow(JsonDepthError);
  });

  it('does not count brackets inside strings', () => {
    // Act
    const tooDeep = jsonTextTooDeep('{"a":"[[[[[[","b":["\\"[["]}', 2);

    // Assess
    expect(tooDeep).toBe(false);
    expect(parseJsonWithin('{"a":"[[[[[["}', 1)).toEqual({ a: '[[[[[[' });
  });

  it('refuses to serialise a value JSON.stringify would overflow on', () => {
    // Prepare
    const value = nested(20_000);

    // Act
    const stringify = () => stringifyJsonWithin(value);

    // Assess
    expect(valueTooDeep(value)).toBe(true);
    expect(stringify).toThrow(JsonDepthError);
    expect(stringifyJsonWithin(nested(64))).toBe(`${'['.repeat(64)}1${']'.repeat(64)}`);
  });
});
