import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { StopReason, StreamUsage } from '../../schema/stream-protocol.js';
import type { AdmittedTurn } from '../../schema/stream-protocol.js';
import { turnRecordWrites } from './turn-record.js';

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
