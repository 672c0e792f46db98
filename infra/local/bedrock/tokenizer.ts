/**
 * The simulator's tokenizer: a token is a run of non-whitespace characters together with
 * the whitespace that follows it (whitespace before the first word belongs to the first
 * token). It is not any real model's tokenizer; it is exact and cheap, so a test can
 * predict `usage` to the token and the pieces always concatenate back to the text.
 */
const TOKEN_PATTERN = /\s*\S+\s*/g;
const WORD_PATTERN = /\S+/g;

/**
 * Splits text into token pieces whose concatenation is the text (whitespace-only text has
 * no tokens).
 * @example
 * tokenize('Hello, world!\n\n- one'); // ['Hello, ', 'world!\n\n', '- ', 'one']
 */
export function tokenize(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

/**
 * Counts tokens without building the pieces (the same count as `tokenize(text).length`).
 * @example
 * countTokens('one two three'); // 3
 */
export function countTokens(text: string): number {
  return text.match(WORD_PATTERN)?.length ?? 0;
}
