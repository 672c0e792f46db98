import { util } from '@aws-appsync/utils';

// The input rules a chat turn shares with the Events way in live in functions/shared.
export { isSafeId, MAX_ID_LENGTH, MAX_PROMPT_SIZE_IN_BYTES, utf8Size } from '../../../schema/input-rules.js';

/** The error type every input check raises, as DESIGN.md names it. */
export const VALIDATION_ERROR = 'ValidationError';

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
