/**
 * The secret part of an API key token `sk-sluice-<keyId>_<secret>`: everything after the
 * first `_`, since the secret (base64url) may itself hold `_` and even start with one.
 *
 * @example
 * ```ts
 * expect(page).not.toContain(secretOf(token));
 * ```
 */
export function secretOf(token: string): string {
  const secret = token.slice(token.indexOf('_') + 1);
  if (secret.length < 40) throw new Error(`not an API key token: ${token.slice(0, 12)}…`);
  return secret;
}
