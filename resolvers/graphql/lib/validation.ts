import { util } from '@aws-appsync/utils';

import { ErrorCode } from '../../../schema/errors.js';

// The input rules every resolver shares with the Lambda functions live in the contract.
export { isSafeId } from '../../../schema/input-rules.js';

/** Raises a `ValidationError` for `field` (ends the resolver). */
export function invalid(field: string, message: string): never {
  return util.error(`${field}: ${message}`, ErrorCode.VALIDATION, null, { field });
}

/** Checks an optional page size and returns it, or the default. */
export function pageLimit(limit: number | null | undefined, fallback: number, max: number): number {
  if (limit === null || limit === undefined) return fallback;
  if (limit < 1 || limit > max) invalid('limit', `must be between 1 and ${max}`);
  return limit;
}
