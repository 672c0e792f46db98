/**
 * The stream protocol: one JSON object per AppSync Events event on
 * `/chat/{userSub}/{conversationId}`. Sequence numbers start at 0 and have no gaps;
 * clients drop duplicates, reorder, and recover from the conversation query on a gap.
 * See docs/stream-protocol.md.
 */
import type { AdmittedTurn } from '../functions/shared/turn-record.js';

export interface StreamUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface StartEvent {
  type: 'start';
  requestId: string;
  conversationId: string;
  model: string;
  seq: 0;
}

export interface DeltaEvent {
  type: 'delta';
  requestId: string;
  seq: number;
  text: string;
}

/** Bedrock's stop reasons, plus `cancelled` when the user stopped the turn. */
export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'guardrail_intervened' | 'content_filtered' | 'tool_use' | 'cancelled';

export interface EndEvent {
  type: 'end';
  requestId: string;
  seq: number;
  stopReason: StopReason;
  usage: StreamUsage;
  costUsd: number;
  latency: { firstTokenMs: number | null; totalMs: number };
}

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
 * | `ServiceUnavailable` | dependency | yes | a service we call could not be reached or failed |
 * | `Throttled` | dependency | yes | a service we call (the model, DynamoDB) is throttling |
 * | `Timeout` | dependency | yes | a service we call did not answer in time |
 * | `LedgerBusy` | dependency | yes | DynamoDB kept cancelling the ledger's transaction |
 * | `ModelStreamError` | dependency | yes | the model failed mid-answer |
 * | `ModelUnavailable` | dependency | yes | the model is not ready or not served now |
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
  CONVERSATION_EXISTS: 'ConversationExists',
  SERVICE_UNAVAILABLE: 'ServiceUnavailable',
  THROTTLED: 'Throttled',
  TIMEOUT: 'Timeout',
  LEDGER_BUSY: 'LedgerBusy',
  MODEL_ERROR: 'ModelStreamError',
  MODEL_UNAVAILABLE: 'ModelUnavailable',
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
  ConversationExists: { blame: 'caller', retryable: false },
  ServiceUnavailable: { blame: 'dependency', retryable: true },
  Throttled: { blame: 'dependency', retryable: true },
  Timeout: { blame: 'dependency', retryable: true },
  LedgerBusy: { blame: 'dependency', retryable: true },
  ModelStreamError: { blame: 'dependency', retryable: true },
  ModelUnavailable: { blame: 'dependency', retryable: true },
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

export interface ErrorEvent {
  type: 'error';
  requestId: string;
  seq: number;
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

export type StreamEvent = StartEvent | DeltaEvent | EndEvent | ErrorEvent;

/**
 * What the start mutation (or the prompts namespace) hands the streaming Lambda: the
 * admitted turn as stored (without its creation time), and how admission judged it.
 */
export interface ChatTurnRequest extends Omit<AdmittedTurn, 'createdAt'> {
  /** The policy group admission chose (a bounded metric dimension). */
  policyGroup: string;
  /** Optional system prompt. */
  system?: string;
  /**
   * True when admission created the conversation for this turn (the client named none),
   * so there is no history to read and the model is called straight after the claim.
   * Absent or false: the stored history is read.
   */
  newConversation?: boolean;
  /** ISO 8601: when the turn was admitted (the stored prompt's time); the claim's time when absent. */
  createdAt?: string;
}

/** The channel a user's turn streams to. */
export function chatChannel(userId: string, conversationId: string): string {
  return `/chat/${userId}/${conversationId}`;
}

export function isChatTurnRequest(value: unknown): value is ChatTurnRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.requestId === 'string' &&
    typeof v.userId === 'string' &&
    typeof v.conversationId === 'string' &&
    typeof v.modelId === 'string' &&
    typeof v.prompt === 'string' &&
    typeof v.maxTokens === 'number' &&
    Array.isArray(v.groups) &&
    typeof v.policyGroup === 'string' &&
    (v.newConversation === undefined || typeof v.newConversation === 'boolean') &&
    (v.createdAt === undefined || (typeof v.createdAt === 'string' && !Number.isNaN(Date.parse(v.createdAt))))
  );
}
