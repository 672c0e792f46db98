/**
 * The stream protocol: one JSON object per AppSync Events event on
 * `/chat/{userSub}/{conversationId}`. Sequence numbers start at 0 and have no gaps;
 * clients drop duplicates, reorder, and recover from the conversation query on a gap.
 * See docs/stream-protocol.md.
 */
import { ErrorCode } from './errors.js';

export { ERROR_CLASSES, ErrorCode, isErrorCode, type ErrorBlame } from './errors.js';

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

export interface ErrorEvent {
  type: 'error';
  requestId: string;
  seq: number;
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

export type StreamEvent = StartEvent | DeltaEvent | EndEvent | ErrorEvent;

/** An admitted turn, as both ways in know it. */
export interface AdmittedTurn {
  requestId: string;
  userId: string;
  conversationId: string;
  modelId: string;
  prompt: string;
  /** The output cap admission granted. */
  maxTokens: number;
  groups: string[];
  /** ISO 8601. */
  createdAt: string;
  /** The way in, when not the web app's chat: stored on the request and the conversation (`kind`). */
  via?: 'chat' | 'api';
  /** A startChat with a clientRequestId: the request's fingerprint, to tell a retry from a reuse (admission.ts). */
  fingerprint?: string;
}

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
  /**
   * The way the turn came in, stored with its conversation and request and counted apart in
   * the ledger. @default 'chat' (startChat or /prompts/{sub})
   */
  via?: TurnVia;
  /**
   * The conversation so far as the client sent it (the OpenAI-compatible API is stateless:
   * each request carries its history), used instead of the stored history.
   */
  history?: { role: 'user' | 'assistant'; text: string }[];
  /** Sampling settings the client asked for, passed to Converse as they are. */
  inference?: { temperature?: number; topP?: number; stopSequences?: string[] };
}

/** Ways a turn comes in: the web app's GraphQL/Events path, or the OpenAI-compatible API. */
export type TurnVia = 'chat' | 'api';

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
    (v.createdAt === undefined || (typeof v.createdAt === 'string' && !Number.isNaN(Date.parse(v.createdAt)))) &&
    (v.fingerprint === undefined || typeof v.fingerprint === 'string')
  );
}

/**
 * The event the streaming Lambda is invoked with, from an admitted turn: the one builder,
 * used by the startChat resolver (APPSYNC_JS) and the prompts way in alike.
 *
 * @example
 * ```ts
 * const request = chatTurnRequest({ ...turn, policyGroup: 'users', newConversation: true });
 * ```
 */
export function chatTurnRequest(turn: ChatTurnRequest): ChatTurnRequest {
  return {
    requestId: turn.requestId,
    userId: turn.userId,
    conversationId: turn.conversationId,
    modelId: turn.modelId,
    prompt: turn.prompt,
    maxTokens: turn.maxTokens,
    groups: turn.groups,
    policyGroup: turn.policyGroup,
    newConversation: turn.newConversation,
    createdAt: turn.createdAt,
    ...(turn.fingerprint ? { fingerprint: turn.fingerprint } : {}),
  };
}
