/**
 * The typed errors a user can meet (GraphQL `errorType`s and stream `error` codes), and
 * the message that tells a person what to do about each. The codes are the contract's
 * (schema/errors.ts).
 */
import { ErrorCode as GatewayErrorCode } from '../../../schema/errors.js';

/** The gateway's codes (the contract's one table), plus the one only a client meets. */
export const ErrorCode = { ...GatewayErrorCode, NETWORK: 'NetworkError' } as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const ADVICE: Record<string, string> = {
  [ErrorCode.BUDGET_EXCEEDED]: 'You have reached your spending limit. It resets at the time shown in the usage meter; an admin can raise it.',
  [ErrorCode.MODEL_NOT_ALLOWED]: 'Your account may not use this model. Pick another model from the list.',
  [ErrorCode.RATE_LIMITED]: 'Too many requests in the last minute. Wait a moment and send again.',
  [ErrorCode.VALIDATION]: 'The request was not accepted. Check the message and try again.',
  [ErrorCode.THROTTLED]: 'The model is busy. Try again in a moment.',
  [ErrorCode.MODEL_ERROR]: 'The model stopped with an error. The text so far is kept; try again.',
  [ErrorCode.MODEL_UNAVAILABLE]: 'The model is unavailable right now. Try another model or try later.',
  [ErrorCode.INTERNAL]: 'Something went wrong on our side. If it happens again, report it with the correlation id shown.',
  [ErrorCode.SERVICE_UNAVAILABLE]: 'A service the gateway needs is unavailable right now. Try again shortly.',
  [ErrorCode.TIMEOUT]: 'A service the gateway needs did not answer in time. Try again.',
  [ErrorCode.NOT_FOUND]: 'That was not found. It may have been deleted, or belong to someone else.',
  [ErrorCode.UNAUTHORIZED]: 'You are not allowed to do that. Sign in again, or ask an admin.',
  [ErrorCode.NETWORK]: 'The connection failed. Check your network and try again.',
};

/** An error from the API or the stream, with its stable code. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }

  /** The message a person reads: what happened, and what to do. */
  get advice(): string {
    return ADVICE[this.code] ?? this.message;
  }
}

/** What the person should read for an error code, with the server's detail. */
export function describeError(code: string, detail?: string): string {
  const advice = ADVICE[code];
  if (!advice) return detail || code;
  return detail ? `${advice} (${detail})` : advice;
}

interface GraphQlErrorLike {
  errorType?: unknown;
  message?: unknown;
}

/**
 * Turns whatever `client.graphql` rejected with (Amplify rejects with `{ data, errors }`
 * for GraphQL errors, and with an Error for transport failures) into an ApiError.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const errors = (error as { errors?: GraphQlErrorLike[] } | null)?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    const first = errors[0];
    const code = typeof first.errorType === 'string' ? first.errorType : errorTypeFromMessage(String(first.message ?? ''));
    return new ApiError(code, String(first.message ?? code), { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = /unauthori[sz]ed|not authorized/i.test(message) ? ErrorCode.UNAUTHORIZED : ErrorCode.NETWORK;
  return new ApiError(code, message, { cause: error });
}

function errorTypeFromMessage(message: string): string {
  return /not authorized|unauthori[sz]ed/i.test(message) ? ErrorCode.UNAUTHORIZED : ErrorCode.INTERNAL;
}

/**
 * A nullable field's value where the app needs one. The schema makes admin fields and
 * mutation results nullable (a denied or failed field nulls only itself, beside errors[],
 * which `graphql()` throws on), so null without an error means the answer is unusable.
 */
export function required<T>(value: T | null | undefined, field: string): T {
  if (value == null) throw new ApiError(ErrorCode.INTERNAL, `The answer has no ${field}.`);
  return value;
}
