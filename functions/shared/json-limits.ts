/**
 * JSON parsing and serialisation with a nesting limit. V8 parses 10,000 nested arrays
 * happily, but `JSON.stringify` of the result overflows the stack (a RangeError the
 * caller would report as its own failure). Input is therefore refused on the way in, as
 * a typed error, before anything holds a value too deep to send on.
 */

/**
 * How deep untrusted JSON may nest (objects and arrays; `{}` is depth 1). AWS documents
 * no nesting limit for AppSync Events payloads or GraphQL variables; DynamoDB stops at 32
 * levels for a stored item. 64 leaves room above any payload Sluice sends (at most 4).
 */
export const MAX_JSON_NESTING_DEPTH = 64;

/**
 * A JSON text or value nests deeper than allowed. Bad input, not a bug: the caller answers
 * it as a validation error.
 *
 * @example
 * try { parseJsonWithin(text); } catch (e) { if (e instanceof JsonDepthError) reply400(e.message); }
 */
export class JsonDepthError extends RangeError {
  constructor(readonly maxDepth: number) {
    super(`JSON nests deeper than ${maxDepth} levels.`);
    this.name = 'JsonDepthError';
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when the JSON text nests deeper than `maxDepth`. One pass over the characters,
 * without recursion, and it stops at the first level past the limit.
 *
 * @example
 * jsonTextTooDeep('[[[1]]]', 2) // true
 */
export function jsonTextTooDeep(text: string, maxDepth: number = MAX_JSON_NESTING_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * `JSON.parse` that refuses text nesting deeper than `maxDepth` with a
 * {@link JsonDepthError} (and, as `JSON.parse` does, malformed text with a SyntaxError).
 *
 * @example
 * const frame = parseJsonWithin(text); // throws JsonDepthError for 10,000 nested arrays
 */
export function parseJsonWithin(text: string, maxDepth: number = MAX_JSON_NESTING_DEPTH): unknown {
  if (jsonTextTooDeep(text, maxDepth)) throw new JsonDepthError(maxDepth);
  return JSON.parse(text) as unknown;
}

/**
 * True when a value nests objects or arrays deeper than `maxDepth`. Walks without
 * recursion, so a value too deep for `JSON.stringify` is still measured safely.
 *
 * @example
 * valueTooDeep({ a: [{}] }, 2) // true
 */
export function valueTooDeep(value: unknown, maxDepth: number = MAX_JSON_NESTING_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > maxDepth) return true;
    const children = Array.isArray(current) ? current : Object.values(current as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * `JSON.stringify` that throws a {@link JsonDepthError}, not a stack overflow, for a value
 * nesting deeper than `maxDepth`.
 *
 * @example
 * socket.send(stringifyJsonWithin(frame));
 */
export function stringifyJsonWithin(value: unknown, maxDepth: number = MAX_JSON_NESTING_DEPTH): string {
  if (valueTooDeep(value, maxDepth)) throw new JsonDepthError(maxDepth);
  return JSON.stringify(value);
}
