import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { StopReason, StreamUsage } from './protocol.js';

const nextUlid = monotonicFactory();

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
   * Claims an admitted turn for streaming. Lambda retries an asynchronous invocation
   * that failed, and may deliver one twice: only the first claim streams and bills.
   */
  async claimTurn(requestId: string, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.requests,
          Key: { requestId },
          UpdateExpression: 'SET #status = :streaming, startedAt = :now',
          ConditionExpression: '#status = :admitted',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':streaming': TurnStatus.STREAMING, ':admitted': TurnStatus.ADMITTED, ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async isCancelRequested(requestId: string): Promise<boolean> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tables.requests, Key: { requestId }, ProjectionExpression: 'cancelRequested', ConsistentRead: true }),
    );
    return Item?.cancelRequested === true;
  }

  /**
   * Records how a turn ended. `streamDelivered` says whether every event reached the Events
   * API; when it did not, `streamError` names the publish failure (e.g. a TLS error).
   */
  async finishTurn(
    requestId: string,
    status: TurnStatus,
    details: { usage?: StreamUsage; costUsd?: number; stopReason?: string; errorCode?: string; streamDelivered?: boolean; streamError?: string; now: Date },
  ) {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tables.requests,
        Key: { requestId },
        UpdateExpression:
          'SET #status = :status, finishedAt = :now, #usage = :usage, costUsd = :cost, stopReason = :stop, errorCode = :code, streamDelivered = :delivered, streamError = :streamError',
        ExpressionAttributeNames: { '#status': 'status', '#usage': 'usage' },
        ExpressionAttributeValues: {
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
  }

  /** Prior messages, oldest first, to give the model the conversation so far. */
  async history(conversationId: string, limit = 40): Promise<StoredMessage[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tables.messages,
        KeyConditionExpression: 'conversationId = :c',
        ExpressionAttributeValues: { ':c': conversationId },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return ((Items ?? []) as StoredMessage[]).reverse();
  }

  async addMessage(message: Omit<StoredMessage, 'messageId' | 'createdAt'>, now: Date): Promise<StoredMessage> {
    const stored: StoredMessage = { ...message, messageId: newMessageId(now), createdAt: now.toISOString() };
    await this.db.send(new PutCommand({ TableName: this.tables.messages, Item: stored }));
    return stored;
  }
}
