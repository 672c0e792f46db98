/**
 * The stream protocol: one JSON object per AppSync Events event on
 * `/chat/{userSub}/{conversationId}`. Sequence numbers start at 0 and have no gaps;
 * clients drop duplicates, reorder, and recover from the conversation query on a gap.
 * See docs/stream-protocol.md.
 */
import type { AdmittedTurn } from './turn-record.js';

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

export const StreamErrorCode = {
  THROTTLED: 'Throttled',
  MODEL_ERROR: 'ModelStreamError',
  MODEL_UNAVAILABLE: 'ModelUnavailable',
  VALIDATION: 'ValidationError',
  BUDGET_EXCEEDED: 'BudgetExceeded',
  MODEL_NOT_ALLOWED: 'ModelNotAllowed',
  RATE_LIMITED: 'RateLimited',
  INTERNAL: 'InternalError',
  /** The turn's stream could not be published (recorded on the turn; no subscriber gets it). */
  STREAM_NOT_DELIVERED: 'StreamNotDelivered',
} as const;
export type StreamErrorCode = (typeof StreamErrorCode)[keyof typeof StreamErrorCode];

export interface ErrorEvent {
  type: 'error';
  requestId: string;
  seq: number;
  code: StreamErrorCode;
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
