/**
 * Admission and settlement errors as values, with a stable `code` the GraphQL layer maps
 * to its typed errors. Misuse by the calling code (a malformed id, negative tokens)
 * throws a TypeError or RangeError instead: that is a bug to fix, not an answer to send.
 *
 * | code | when | retryable |
 * |---|---|---|
 * | `BudgetExceeded` | the worst case of the turn does not fit the day or month budget | no (until `resetsAt`) |
 * | `RateLimited` | the user started `requestsPerMinute` turns this minute | yes, after `retryAfterSeconds` |
 * | `ModelNotAllowed` | the model is unknown or not in the user's policy | no |
 * | `RequestIdConflict` | the request id belongs to another user's turn | no |
 * | `LedgerBusy` | DynamoDB kept cancelling the transaction for conflicts | yes |
 * | `ReservationNotFound` | settle() for a request that was never admitted | no |
 * | `ValidationError` | an admin's override is invalid | no |
 */
import { ErrorCode } from '../../../schema/stream-protocol.js';

/** Stable error codes: the ledger's rows of the one table, `ErrorCode` in protocol.ts. */
export const LedgerErrorCode = {
  BudgetExceeded: ErrorCode.BUDGET_EXCEEDED,
  RateLimited: ErrorCode.RATE_LIMITED,
  ModelNotAllowed: ErrorCode.MODEL_NOT_ALLOWED,
  RequestIdConflict: ErrorCode.REQUEST_ID_CONFLICT,
  LedgerBusy: ErrorCode.LEDGER_BUSY,
  ReservationNotFound: ErrorCode.RESERVATION_NOT_FOUND,
  ValidationError: ErrorCode.VALIDATION,
} as const;
export type LedgerErrorCode = (typeof LedgerErrorCode)[keyof typeof LedgerErrorCode];

/** Where a budget stands for one period. */
export interface BudgetPeriodStatus {
  scope: 'day' | 'month';
  /** `YYYY-MM-DD` or `YYYY-MM` (UTC). */
  period: string;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  remainingUsd: number;
  /** ISO time the period ends. */
  resetsAt: string;
}

/** The turn's worst case does not fit the budget. */
export interface BudgetExceeded extends BudgetPeriodStatus {
  code: typeof LedgerErrorCode.BudgetExceeded;
  message: string;
  /** The worst-case cost the turn needed reserved. */
  requiredUsd: number;
  /** Every period that refused (the top-level fields describe the one that resets last). */
  exceeded: BudgetPeriodStatus[];
  retryable: false;
}

/** Too many turns started this minute. */
export interface RateLimited {
  code: typeof LedgerErrorCode.RateLimited;
  /** Set when the refusal is the open-turn cap (MAX_OPEN_TURNS), not the per-minute rate. */
  limitConcurrent?: number;
  message: string;
  limitPerMinute: number;
  retryAfterSeconds: number;
  /** ISO time the next window opens. */
  retryAt: string;
  retryable: true;
}

export interface ModelNotAllowed {
  code: typeof LedgerErrorCode.ModelNotAllowed;
  message: string;
  modelId: string;
  allowedModels: string[];
  retryable: false;
}

export interface RequestIdConflict {
  code: typeof LedgerErrorCode.RequestIdConflict;
  message: string;
  requestId: string;
  retryable: false;
}

export interface LedgerBusy {
  code: typeof LedgerErrorCode.LedgerBusy;
  message: string;
  retryable: true;
}

export interface ReservationNotFound {
  code: typeof LedgerErrorCode.ReservationNotFound;
  message: string;
  requestId: string;
  retryable: false;
}

export interface ValidationError {
  code: typeof LedgerErrorCode.ValidationError;
  message: string;
  problems: string[];
  retryable: false;
}

/** Why reserve() refused a turn. */
export type AdmissionError = BudgetExceeded | RateLimited | ModelNotAllowed | RequestIdConflict | LedgerBusy;

/**
 * A LedgerBusy value.
 * @example
 * return { ok: false, error: ledgerBusy() };
 */
export function ledgerBusy(): LedgerBusy {
  return { code: LedgerErrorCode.LedgerBusy, message: 'The budget ledger is busy; try again in a moment.', retryable: true };
}
