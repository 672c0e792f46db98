/**
 * The one table of error codes: GraphQL `errorType`, stream `error.code` and the web
 * app's messages all use these spellings. Part of the contract (schema/); no dependencies.
 */

/**
 * Every error code a user can meet, as GraphQL `errorType` and as stream `error.code`:
 * the one table of them. Each failure is classified where it happens, by who is to blame:
 *
 * | code | blame | retryable | when |
 * |---|---|---|---|
 * | `ValidationError` | caller | no | the request is malformed or out of range |
 * | `BudgetExceeded` | caller | no | the turn's worst case does not fit the budget |
 * | `ModelNotAllowed` | caller | no | the model is unknown or not in the caller's policy |
 * | `RateLimited` | caller | yes | too many turns this minute (after `retryAfterSeconds`) |
 * | `Unauthorized` | caller | no | the caller may not do this |
 * | `NotFound` | caller | no | the thing named does not exist (for this caller) |
 * | `RequestIdConflict` | caller | no | the request id belongs to another user's turn |
 * | `IdempotentParameterMismatch` | caller | no | a `clientRequestId` reused with a different request |
 * | `ServiceUnavailable` | dependency | yes | a service we call could not be reached or failed |
 * | `Throttled` | dependency | yes | a service we call (the model, DynamoDB) is throttling |
 * | `Timeout` | dependency | yes | a service we call did not answer in time |
 * | `LedgerBusy` | dependency | yes | DynamoDB kept cancelling the ledger's transaction |
 * | `ModelStreamError` | dependency | yes | the model failed mid-answer |
 * | `ModelUnavailable` | dependency | yes | the model is not ready or not served now |
 * | `TurnInterrupted` | dependency | yes | the function streaming the turn died (a crash, a restart); the text so far is kept |
 * | `InternalFailure` | ours | no | a bug: logged with a correlation id the message shows |
 * | `ReservationNotFound` | ours | no | settlement for a turn that was never admitted |
 */
export const ErrorCode = {
  VALIDATION: 'ValidationError',
  BUDGET_EXCEEDED: 'BudgetExceeded',
  MODEL_NOT_ALLOWED: 'ModelNotAllowed',
  RATE_LIMITED: 'RateLimited',
  UNAUTHORIZED: 'Unauthorized',
  NOT_FOUND: 'NotFound',
  REQUEST_ID_CONFLICT: 'RequestIdConflict',
  IDEMPOTENT_PARAMETER_MISMATCH: 'IdempotentParameterMismatch',
  CONVERSATION_EXISTS: 'ConversationExists',
  SERVICE_UNAVAILABLE: 'ServiceUnavailable',
  THROTTLED: 'Throttled',
  TIMEOUT: 'Timeout',
  LEDGER_BUSY: 'LedgerBusy',
  MODEL_ERROR: 'ModelStreamError',
  MODEL_UNAVAILABLE: 'ModelUnavailable',
  TURN_INTERRUPTED: 'TurnInterrupted',
  INTERNAL: 'InternalFailure',
  /** The turn's stream could not be published (recorded on the turn; no subscriber gets it). */
  STREAM_NOT_DELIVERED: 'StreamNotDelivered',
  RESERVATION_NOT_FOUND: 'ReservationNotFound',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Who a failure is on: the caller's mistake, a dependency's failure, or our own bug. */
export type ErrorBlame = 'caller' | 'dependency' | 'ours';

/** The blame and retryability of every code (the table above, as data). */
export const ERROR_CLASSES: Record<ErrorCode, { blame: ErrorBlame; retryable: boolean }> = {
  ValidationError: { blame: 'caller', retryable: false },
  BudgetExceeded: { blame: 'caller', retryable: false },
  ModelNotAllowed: { blame: 'caller', retryable: false },
  RateLimited: { blame: 'caller', retryable: true },
  Unauthorized: { blame: 'caller', retryable: false },
  NotFound: { blame: 'caller', retryable: false },
  RequestIdConflict: { blame: 'caller', retryable: false },
  IdempotentParameterMismatch: { blame: 'caller', retryable: false },
  ConversationExists: { blame: 'caller', retryable: false },
  ServiceUnavailable: { blame: 'dependency', retryable: true },
  Throttled: { blame: 'dependency', retryable: true },
  Timeout: { blame: 'dependency', retryable: true },
  LedgerBusy: { blame: 'dependency', retryable: true },
  ModelStreamError: { blame: 'dependency', retryable: true },
  ModelUnavailable: { blame: 'dependency', retryable: true },
  TurnInterrupted: { blame: 'dependency', retryable: true },
  InternalFailure: { blame: 'ours', retryable: false },
  StreamNotDelivered: { blame: 'dependency', retryable: true },
  ReservationNotFound: { blame: 'ours', retryable: false },
};

/**
 * True when `value` is a code of the table.
 * @example
 * const code = isErrorCode(errorType) ? errorType : ErrorCode.INTERNAL;
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CLASSES, value);
}
