/**
 * What admitting a chat turn writes, whichever way it came in: the ChatRequests item the
 * streaming Lambda claims, the create-or-bump of its conversation, and the user's message. startChat's
 * admission (functions/gateway-api/admission.ts, inside the reservation transaction) and
 * the Events way in (functions/prompt-intake, its own transaction after admission) build
 * their writes from these, so both store the same shape. APPSYNC_JS subset: plain values only.
 */

/** A turn's request item lives a day (DynamoDB TTL); the ledger keeps what it cost. */
export const REQUEST_TTL_IN_SECONDS = 24 * 60 * 60;

/** Longest conversation title, taken from the first prompt. */
export const MAX_TITLE_LENGTH = 80;

/** The condition that makes recording a request id happen once. */
export const REQUEST_NOT_RECORDED_CONDITION = 'attribute_not_exists(requestId)';

/** The condition on a turn that says it creates its conversation (startChat's `newConversation`). */
export const CONVERSATION_NOT_CREATED_CONDITION = 'attribute_not_exists(conversationId)';

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
}

/**
 * The ChatRequests item's attributes besides its key (`requestId`).
 *
 * @example
 * ```ts
 * const item = { requestId: turn.requestId, ...chatRequestAttributes(turn, Math.floor(Date.now() / 1000)) };
 * ```
 */
export function chatRequestAttributes(turn: AdmittedTurn, nowEpochSeconds: number) {
  return {
    userId: turn.userId,
    conversationId: turn.conversationId,
    modelId: turn.modelId,
    prompt: turn.prompt,
    maxTokens: turn.maxTokens,
    groups: turn.groups,
    status: 'admitted',
    cancelRequested: false,
    createdAt: turn.createdAt,
    expiresAt: nowEpochSeconds + REQUEST_TTL_IN_SECONDS,
  };
}

/**
 * The user's message of an admitted turn (a Messages item), stored in the write that
 * records the turn: the prompt is in the conversation exactly when the turn was admitted,
 * and the streaming Lambda has one write less beside the model call. `messageId` is a
 * ULID (time-ordered), so it sorts before the answer stored when the turn ends.
 *
 * @example
 * ```ts
 * const item = userMessageItem(turn, ulid());
 * ```
 */
export function userMessageItem(turn: AdmittedTurn, messageId: string) {
  return {
    conversationId: turn.conversationId,
    messageId,
    userId: turn.userId,
    requestId: turn.requestId,
    role: 'user' as const,
    text: turn.prompt,
    status: 'complete' as const,
    modelId: turn.modelId,
    createdAt: turn.createdAt,
  };
}

/**
 * The update of the conversation (key `{userId, conversationId}`): created with the first
 * prompt as its title, bumped on later turns. The key holds the caller's sub, so a client
 * cannot write into someone else's conversation by naming its id.
 *
 * @example
 * ```ts
 * const { expression, values } = conversationUpdate(turn);
 * ```
 */
export function conversationUpdate(turn: AdmittedTurn): { expression: string; values: Record<string, string> } {
  return {
    expression: 'SET title = if_not_exists(title, :title), createdAt = if_not_exists(createdAt, :now), updatedAt = :now, modelId = :model',
    values: { ':title': turn.prompt.slice(0, MAX_TITLE_LENGTH), ':now': turn.createdAt, ':model': turn.modelId },
  };
}
