/**
 * Reads a `java.time.format.DateTimeFormatter` pattern (the syntax `util.time` documents) into
 * tokens. The twin supports the letters in {@link SUPPORTED_LETTERS}; any other letter is an
 * error, as an unknown letter is in Java.
 * @see https://docs.oracle.com/javase/8/docs/api/java/time/format/DateTimeFormatter.html
 */

export type PatternToken = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; width: number };

/**
 * Pattern letters the twin formats and parses:
 * `y u` year, `M L` month, `d` day, `D` day of year, `E` weekday, `a` AM/PM,
 * `H k h K` hours, `m` minutes, `s` seconds, `S` fraction, `Z X x` offsets, `VV` zone id,
 * `z` zone name. Text in `'quotes'` and any non-letter are literals; `[` `]` are dropped.
 */
export const SUPPORTED_LETTERS = 'yuMLdDEaHkhKmsSZXxVz';

/**
 * @throws RangeError for an unknown pattern letter or an unterminated quote
 * @example
 * ```ts
 * tokenizePattern("HH'h'"); // [{kind:'field',letter:'H',width:2},{kind:'literal',text:'h'}]
 * ```
 */
export function tokenizePattern(pattern: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  const text = String(pattern);
  let i = 0;
  const pushLiteral = (literal: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'literal') last.text += literal;
    else tokens.push({ kind: 'literal', text: literal });
  };
  while (i < text.length) {
    const char = text.charAt(i);
    if (char === "'") {
      const [literal, next] = readQuoted(text, i);
      pushLiteral(literal);
      i = next;
    } else if (/[A-Za-z]/.test(char)) {
      let width = 1;
      while (text.charAt(i + width) === char) width += 1;
      if (!SUPPORTED_LETTERS.includes(char)) throw new RangeError(`Unsupported pattern letter '${char}' in ${text}`);
      tokens.push({ kind: 'field', letter: char, width });
      i += width;
    } else {
      // Optional sections: the twin always prints them and never requires them.
      if (char !== '[' && char !== ']') pushLiteral(char);
      i += 1;
    }
  }
  return tokens;
}

/** Reads quoted text starting at the quote at `start`; `''` stands for one quote, inside or out. */
function readQuoted(text: string, start: number): [literal: string, next: number] {
  if (text.charAt(start + 1) === "'") return ["'", start + 2];
  let literal = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new RangeError(`Pattern ends within quoted text: ${text}`);
    const char = text.charAt(i);
    if (char === "'") {
      if (text.charAt(i + 1) !== "'") return [literal, i + 1];
      literal += "'";
      i += 2;
    } else {
      literal += char;
      i += 1;
    }
  }
}
