/**
 * String encodings of `util`. AppSync implements them in Java, so they follow the Java
 * library each one is documented after, not the nearest JavaScript built-in.
 */

/**
 * `util.urlEncode`: `application/x-www-form-urlencoded` as Java's `URLEncoder` writes it:
 * space becomes `+`, only `A-Z a-z 0-9 . - * _` stay as they are.
 * @example
 * ```ts
 * urlEncode("a b&c=d!"); // 'a+b%26c%3Dd%21'
 * ```
 */
export function urlEncode(value: string): string {
  return encodeURIComponent(String(value))
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * `util.urlDecode`: the inverse of {@link urlEncode}, `+` included.
 * @example
 * ```ts
 * urlDecode('a+b%26c'); // 'a b&c'
 * ```
 */
export function urlDecode(value: string): string {
  return decodeURIComponent(String(value).replace(/\+/g, ' '));
}

const JS_ESCAPES: Record<string, string> = {
  "'": "\\'",
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\n': '\\n',
  '\t': '\\t',
  '\f': '\\f',
  '\r': '\\r',
};

/**
 * `util.escapeJavaScript`, after Apache Commons' `StringEscapeUtils.escapeEcmaScript`: quotes,
 * backslash and `/` get a backslash, control characters their short escape, and everything
 * outside printable ASCII a `\uXXXX` escape.
 * @example
 * ```ts
 * escapeJavaScript('say "hi"\n'); // 'say \\"hi\\"\\n'
 * ```
 */
export function escapeJavaScript(value: string): string {
  let out = '';
  for (const char of String(value)) {
    const escape = JS_ESCAPES[char];
    if (escape !== undefined) {
      out += escape;
      continue;
    }
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && code < 0x7f) out += char;
    // Characters beyond the BMP become a surrogate pair of escapes, as Java strings hold them.
    else for (let i = 0; i < char.length; i += 1) out += `\\u${char.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}
