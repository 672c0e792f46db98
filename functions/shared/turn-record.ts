/**
 * What recording a chat turn writes, whichever way it came in: the ChatRequests item, the
 * create-or-bump of its conversation, and the user's message. Admission itself writes none
 * of them (it is one conditional write on the user's budget item); the streaming Lambda
 * writes them once it has won the turn's claim, beside the model call, so the prompt is
 * stored exactly when the turn was admitted and claimed. Plain values only: no SDK, no clock.
 */
import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';
import type { AdmittedTurn } from '../../schema/stream-protocol.js';

/** A turn's request item lives a day (DynamoDB TTL); the ledger keeps what it cost. */
export const REQUEST_TTL_IN_SECONDS = 24 * 60 * 60;

/** Longest conversation title, taken from the first prompt. */
export const MAX_TITLE_LENGTH = 80;

/** The tables a turn's record is written to. */
export interface TurnTables {
  requests: string;
  conversations: string;
  messages: string;
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
    status: 'streaming',
    cancelRequested: false,
    createdAt: turn.createdAt,
    via: turn.via ?? 'chat',
    expiresAt: nowEpochSeconds + REQUEST_TTL_IN_SECONDS,
    ...(turn.fingerprint ? { requestFingerprint: turn.fingerprint } : {}),
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
    expression: 'SET title = if_not_exists(title, :title), createdAt = if_not_exists(createdAt, :now), updatedAt = :now, modelId = :model, kind = if_not_exists(kind, :kind)',
    values: { ':title': turn.prompt.slice(0, MAX_TITLE_LENGTH), ':now': turn.createdAt, ':model': turn.modelId, ':kind': turn.via ?? 'chat' },
  };
}

/**
 * The user message's id: a ULID whose time is the turn's `createdAt` and whose random part
 * comes from the request id, so every attempt at recording one turn writes the same item
 * (a retried invocation cannot store the prompt twice), and it sorts before the answer.
 *
 * @example
 * ```ts
 * userMessageId(turn); // '01JD…' (26 characters)
 * ```
 */
export function userMessageId(turn: Pick<AdmittedTurn, 'requestId' | 'createdAt'>): string {
  const digest = createHash('sha256').update(turn.requestId).digest();
  const random = Array.from({ length: 16 }, (_, i) => CROCKFORD[digest[i] % 32]).join('');
  return encodeTime(Date.parse(turn.createdAt), 10) + random;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The answer's message id: like {@link userMessageId}, from the request id, with the turn's
 * time plus 1 ms, so it sorts right after the prompt and whoever stores the answer (the
 * turn's Lambda, or the recovery of an interrupted turn) writes the same item.
 *
 * @example
 * ```ts
 * assistantMessageId(turn) > userMessageId(turn); // true
 * ```
 */
export function assistantMessageId(turn: Pick<AdmittedTurn, 'requestId' | 'createdAt'>): string {
  const digest = createHash('sha256').update(`answer#${turn.requestId}`).digest();
  const random = Array.from({ length: 16 }, (_, i) => CROCKFORD[digest[i] % 32]).join('');
  return encodeTime(Date.parse(turn.createdAt) + 1, 10) + random;
}

/**
 * The writes that record a claimed turn, for the streaming Lambda to send once it won the
 * claim, beside the model call: the ChatRequests item (status `streaming`), the
 * conversation's create-or-bump and the user's message. Each is a single-item write (no
 * transaction: they need no all-or-nothing, and a transaction bills twice), and each is
 * idempotent, so a retry writes the same items.
 *
 * @example
 * ```ts
 * await Promise.all(turnRecordWrites(turn, tables, now).map((input) => db.send(...)));
 * ```
 */
export function turnRecordWrites(turn: AdmittedTurn, tables: TurnTables, nowEpochSeconds: number) {
  const conversation = conversationUpdate(turn);
  return {
    request: {
      TableName: tables.requests,
      Item: { requestId: turn.requestId, ...chatRequestAttributes(turn, nowEpochSeconds) },
      // Another user's turn under the same id keeps its record.
      ConditionExpression: 'attribute_not_exists(requestId) OR userId = :user',
      ExpressionAttributeValues: { ':user': turn.userId },
    },
    conversation: {
      TableName: tables.conversations,
      // The key holds the caller's sub: a client cannot write into someone else's conversation.
      Key: { userId: turn.userId, conversationId: turn.conversationId },
      UpdateExpression: conversation.expression,
      ExpressionAttributeValues: conversation.values,
    },
    userMessage: { TableName: tables.messages, Item: userMessageItem(turn, userMessageId(turn)) },
  };
}
