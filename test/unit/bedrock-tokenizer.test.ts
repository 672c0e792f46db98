import { describe, expect, it } from 'vitest';
import { countTokens, tokenize } from '../../infra/local/bedrock/tokenizer.js';

describe('tokenize', () => {
  it.each([
    ['Hello, world!', ['Hello, ', 'world!']],
    ['  leading space', ['  leading ', 'space']],
    ['trailing space  ', ['trailing ', 'space  ']],
    ['- item\n- item\n\nNext', ['- ', 'item\n', '- ', 'item\n\n', 'Next']],
    ['```ts\nconst x = 1;\n```', ['```ts\n', 'const ', 'x ', '= ', '1;\n', '```']],
    ['', []],
    [' \n\t ', []],
  ])('splits %j into word-with-following-space pieces', (text, pieces) => {
    // Act
    const tokens = tokenize(text);

    // Assess
    expect(tokens).toEqual(pieces);
  });

  it('returns pieces that concatenate back to any text with a word in it', () => {
    // Prepare
    const text = ' Some **Markdown**:\n\n1. one\n2. two  \n```\ncode\n```\n';

    // Act
    const joined = tokenize(text).join('');

    // Assess
    expect(joined).toBe(text);
  });
});

describe('countTokens', () => {
  it.each(['', 'one', ' one two\n\nthree ', 'a\u00a0b', 'emoji 🎉 here'])('agrees with tokenize on %j', (text) => {
    // Act
    const count = countTokens(text);

    // Assess
    expect(count).toBe(tokenize(text).length);
  });
});
