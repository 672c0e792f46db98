/**
 * Control flow of APPSYNC_JS. `util.error`, `util.unauthorized` and `runtime.earlyReturn` end
 * the handler at once; the runtime turns each signal into a call outcome. They are thrown
 * objects because that is the only way to unwind user code, which has no `try` of its own.
 */
import type { AppSyncJsError } from '../types.js';

/** Thrown by `util.error`. */
export class UtilErrorSignal {
  constructor(readonly error: AppSyncJsError) {}
}

/** Thrown by `util.unauthorized`. */
export class UnauthorizedSignal {}

/** Thrown by `runtime.earlyReturn`. */
export class EarlyReturnSignal {
  constructor(
    readonly value: unknown,
    readonly skipTo?: 'END' | 'NEXT',
  ) {}
}

/** Builds the error record `util.error` and `util.appendError` share. */
export function appSyncError(message: unknown, errorType?: unknown, data?: unknown, errorInfo?: unknown): AppSyncJsError {
  const error: AppSyncJsError = { message: String(message) };
  if (errorType !== undefined && errorType !== null) error.errorType = String(errorType);
  if (data !== undefined) error.data = data;
  if (errorInfo !== undefined) error.errorInfo = errorInfo;
  return error;
}
