/**
 * What admitting a chat turn writes, whichever way it came in: the ChatRequests item the
 * streaming Lambda claims, the create-or-bump of its conversation, and the user's message.
 * startChat's admission (functions/gateway-api/admission.ts, inside the reservation
 * transaction) and the Events way in (functions/prompt-intake, its own transaction after
 * admission) both write {@link turnRecordItems}, so both store the same shape. Plain
 * values only: no SDK, no clock, no id generator.
 */

/** A turn's request item lives a day (DynamoDB TTL); the ledger keeps what it cost. */
export const REQUEST_TTL_IN_SECONDS = 24 * 60 * 60;

/** Longest conversation title, taken from the first prompt. */
export const MAX_TITLE_LENGTH = 80;

/** The condition that makes recording a request id happen once. */
const REQUEST_NOT_RECORDED_CONDITION = 'attribute_not_exists(requestId)';

/** The condition on a turn that says it creates its conversation (startChat's `newConversation`). */
const CONVERSATION_NOT_CREATED_CONDITION = 'attribute_not_exists(conversationId)';

/** The tables a turn's record is written to. */
export interface TurnTables {
  requests: string;
  conversations: string;
  messages: string;
}

/** Where each write sits in {@link turnRecordItems}: a failed condition's index names it. */
export const TURN_RECORD_ITEM = { request: 0, conversation: 1, userMessage: 2 } as const;

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
function chatRequestAttributes(turn: AdmittedTurn, nowEpochSeconds: number) {
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
function userMessageItem(turn: AdmittedTurn, messageId: string) {
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
function conversationUpdate(turn: AdmittedTurn): { expression: string; values: Record<string, string> } {
  return {
    expression: 'SET title = if_not_exists(title, :title), createdAt = if_not_exists(createdAt, :now), updatedAt = :now, modelId = :model',
    values: { ':title': turn.prompt.slice(0, MAX_TITLE_LENGTH), ':now': turn.createdAt, ':model': turn.modelId },
  };
}

/**
 * The transaction items that record an admitted turn, in {@link TURN_RECORD_ITEM} order:
 * the ChatRequests item (once per request id), the conversation's create-or-bump (create
 * only, with `newConversation`) and the user's message. Both ways in write exactly these.
 *
 * @example
 * ```ts
 * const items = turnRecordItems(turn, tables, { nowEpochSeconds: Math.floor(Date.now() / 1000), messageId: newMessageId(now) });
 * ```
 */
export function turnRecordItems(turn: AdmittedTurn, tables: TurnTables, options: { nowEpochSeconds: number; messageId: string; newConversation?: boolean }) {
  const conversation = conversationUpdate(turn);
  return [
    {
      Put: {
        TableName: tables.requests,
        Item: { requestId: turn.requestId, ...chatRequestAttributes(turn, options.nowEpochSeconds) },
        ConditionExpression: REQUEST_NOT_RECORDED_CONDITION,
      },
    },
    {
      Update: {
        TableName: tables.conversations,
        // The key holds the caller's sub: a client cannot write into someone else's conversation.
        Key: { userId: turn.userId, conversationId: turn.conversationId },
        UpdateExpression: conversation.expression,
        ExpressionAttributeValues: conversation.values,
        ...(options.newConversation ? { ConditionExpression: CONVERSATION_NOT_CREATED_CONDITION } : {}),
      },
    },
    { Put: { TableName: tables.messages, Item: userMessageItem(turn, options.messageId) } },
  ];
}
