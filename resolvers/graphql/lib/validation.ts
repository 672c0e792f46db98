import { util } from '@aws-appsync/utils';

/**
 * Largest prompt a chat turn takes, in UTF-8 bytes. It keeps one request item and one
 * Lambda event far below DynamoDB's 400 KB item and Lambda's 256 KB async payload limits.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_PROMPT_SIZE_IN_BYTES = 32_768;

/** Longest id a client may choose (conversation ids). */
export const MAX_ID_LENGTH = 64;

const ID_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The error type every input check raises, as DESIGN.md names it. */
export const VALIDATION_ERROR = 'ValidationError';

/** UTF-8 size of `text` (APPSYNC_JS has no TextEncoder). */
export function utf8Size(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) || 0;
    bytes = bytes + (code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4);
  }
  return bytes;
}

/** True for 1–64 characters of letters, digits, `-` and `_` (APPSYNC_JS has no regex literals). */
export function isSafeId(value: string): boolean {
  if (value.length < 1 || value.length > MAX_ID_LENGTH) return false;
  return value.split('').every((ch) => ID_CHARACTERS.includes(ch));
}

/** Raises a `ValidationError` for `field` (ends the resolver). */
export function invalid(field: string, message: string): never {
  return util.error(`${field}: ${message}`, VALIDATION_ERROR, null, { field });
}

/** Checks an optional page size and returns it, or the default. */
export function pageLimit(limit: number | null | undefined, fallback: number, max: number): number {
  if (limit === null || limit === undefined) return fallback;
  if (limit < 1 || limit > max) invalid('limit', `must be between 1 and ${max}`);
  return limit;
}
