import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { StopReason, StreamUsage } from '../../schema/stream-protocol.js';
import type { AdmittedTurn } from '../../schema/stream-protocol.js';
import { assistantMessageId, turnRecordWrites } from './turn-record.js';

const nextUlid = monotonicFactory();

/** Pages of a conversation's partition one history read goes through, at most. */
export const MAX_HISTORY_PAGES = 5;

/**
 * A new message id: a ULID (time-ordered, monotonic within this process), so a
 * conversation's messages sort by when they were stored. Admission uses it for the user's
 * message, the store for the answer.
 */
export function newMessageId(now: Date): string {
  return nextUlid(now.getTime());
}

export const TurnStatus = {
  ADMITTED: 'admitted',
  STREAMING: 'streaming',
  COMPLETED: 'completed',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
  /** The model answered (and was billed) but no subscriber can have the whole stream: every retry of a publish failed. */
  UNDELIVERED: 'undelivered',
} as const;
export type TurnStatus = (typeof TurnStatus)[keyof typeof TurnStatus];

/** A stored message; `incomplete` marks an answer cut short by an error. */
export interface StoredMessage {
  conversationId: string;
  messageId: string;
  userId: string;
  requestId: string;
  role: 'user' | 'assistant';
  text: string;
  status: 'complete' | 'incomplete' | 'cancelled';
  modelId: string;
  createdAt: string;
  stopReason?: StopReason;
  usage?: StreamUsage;
  costUsd?: number;
}

/** A ChatRequests item as the recovery of an interrupted turn reads it. */
export interface RecordedTurn {
  requestId: string;
  userId: string;
  conversationId: string;
  modelId: string;
  prompt: string;
  status: TurnStatus;
  createdAt: string;
  /** The text streamed up to the last checkpoint, and the seq the next event would have taken. */
  partialText?: string;
  partialSeq?: number;
}

export interface ConversationStoreTables {
  requests: string;
  conversations: string;
  messages: string;
}

/** Chat requests, conversations and messages in DynamoDB, for the streaming Lambda. */
export class ConversationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: ConversationStoreTables,
  ) {}

  /**
   * Records a turn the caller has claimed (ledger claimReservation): its ChatRequests item,
   * its conversation and the user's message, as three single writes in parallel. Sent
   * beside the model call, off the path to the first token; idempotent, so a retry writes
   * the same items (functions/shared/turn-record.ts).
   */
  async recordTurn(turn: AdmittedTurn, now: Date): Promise<void> {
    const writes = turnRecordWrites(turn, this.tables, Math.floor(now.getTime() / 1000));
    await Promise.all([
      this.db.send(new PutCommand(writes.request)).catch((error: unknown) => {
        // The id names another user's turn (the prompts way in lets a client choose it): theirs stays.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }),
      this.db.send(new UpdateCommand(writes.conversation)),
      this.db.send(new PutCommand(writes.userMessage)),
    ]);
  }

  /**
   * Records how a turn ended. `streamDelivered` says whether every event reached the Events
   * API; when it did not, `streamError` names the publish failure (e.g. a TLS error).
   */
  async finishTurn(
    requestId: string,
    status: TurnStatus,
    details: {
      usage?: StreamUsage;
      costUsd?: number;
      stopReason?: string;
      errorCode?: string;
      streamDelivered?: boolean;
      streamError?: string;
      now: Date;
      /** Only if the turn is still `streaming` (the recovery of an interrupted turn); returns false otherwise. */
      onlyIfStreaming?: boolean;
    },
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.requests,
          Key: { requestId },
          UpdateExpression:
            'SET #status = :status, finishedAt = :now, #usage = :usage, costUsd = :cost, stopReason = :stop, errorCode = :code, streamDelivered = :delivered, streamError = :streamError',
          ...(details.onlyIfStreaming ? { ConditionExpression: '#status = :streaming' } : {}),
          ExpressionAttributeNames: { '#status': 'status', '#usage': 'usage' },
          ExpressionAttributeValues: {
            ...(details.onlyIfStreaming ? { ':streaming': TurnStatus.STREAMING } : {}),
          ':status': status,
          ':now': details.now.toISOString(),
          ':usage': details.usage ?? null,
          ':cost': details.costUsd ?? null,
          ':stop': details.stopReason ?? null,
          ':code': details.errorCode ?? null,
          ':delivered': details.streamDelivered ?? true,
          ':streamError': details.streamError ?? null,
          },
        }),
      );
      return true;
    } catch (error) {
      if (details.onlyIfStreaming && error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * The user's prior messages in the conversation (its newest `limit`), oldest first, to
   * give the model the conversation so far. Conversation ids are chosen by clients and the
   * Messages table is keyed by them alone, so the user's sub filters the partition (as the
   * GraphQL Conversation.messages resolver does): naming another user's conversation id
   * neither reads its history nor puts anything into the owner's. DynamoDB applies `Limit`
   * before the filter, so pages are read until the window is full; one page in the usual
   * case, where the partition holds the user's messages only. At most
   * {@link MAX_HISTORY_PAGES} pages: a second account writing thousands of messages under
   * the id must not make each of the caller's turns read them all.
   */
  async history(conversationId: string, userId: string, limit = 40): Promise<StoredMessage[]> {
    const newestFirst: StoredMessage[] = [];
    let startKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      pages += 1;
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tables.messages,
          KeyConditionExpression: 'conversationId = :c',
          FilterExpression: 'userId = :u',
          ExpressionAttributeValues: { ':c': conversationId, ':u': userId },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      );
      newestFirst.push(...((page.Items ?? []) as StoredMessage[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && newestFirst.length < limit && pages < MAX_HISTORY_PAGES);
    return newestFirst.slice(0, limit).reverse();
  }

  /**
   * Stores a message. With `turnCreatedAt` (an answer), its id comes from the request id
   * (turn-record.ts `assistantMessageId`) and the write is conditional: a turn has one
   * answer, whether its own Lambda stored it or the recovery of an interrupted turn did.
   * Returns undefined when the answer was stored already.
   */
  async addMessage(message: Omit<StoredMessage, 'messageId' | 'createdAt'>, now: Date, turnCreatedAt?: string): Promise<StoredMessage | undefined> {
    const messageId = turnCreatedAt ? assistantMessageId({ requestId: message.requestId, createdAt: turnCreatedAt }) : newMessageId(now);
    const stored: StoredMessage = { ...message, messageId, createdAt: now.toISOString() };
    try {
      await this.db.send(new PutCommand({ TableName: this.tables.messages, Item: stored, ...(turnCreatedAt ? { ConditionExpression: 'attribute_not_exists(messageId)' } : {}) }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
    return stored;
  }

  /**
   * Saves what a streaming turn has produced so far on its ChatRequests item: the text
   * subscribers were sent and the sequence number the next event takes. If the turn's
   * function dies, the recovery (interrupted-turn.ts) keeps this text and bills it.
   * Only while the turn is `streaming`: a late checkpoint never reopens a finished turn.
   */
  async checkpoint(requestId: string, text: string, nextSeq: number, now: Date): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.requests,
          Key: { requestId },
          UpdateExpression: 'SET partialText = :text, partialSeq = :seq, checkpointedAt = :now',
          ConditionExpression: '#status = :streaming',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':text': text, ':seq': nextSeq, ':now': now.toISOString(), ':streaming': TurnStatus.STREAMING },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** A turn's ChatRequests item, read consistently, or undefined. */
  async readTurn(requestId: string): Promise<RecordedTurn | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tables.requests, Key: { requestId }, ConsistentRead: true }));
    return Item as RecordedTurn | undefined;
  }

  /** Turns recorded as `streaming` (every page): on the twin's start, none of them has a live function. */
  async streamingTurns(): Promise<RecordedTurn[]> {
    const turns: RecordedTurn[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tables.requests,
          FilterExpression: '#status = :streaming',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':streaming': TurnStatus.STREAMING },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      turns.push(...((page.Items ?? []) as RecordedTurn[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return turns;
  }
}
