/**
 * The streaming Lambda's work: invoked asynchronously (InvocationType Event) with one
 * admitted chat turn, it streams Bedrock's answer to the user's Events channel and bills
 * it. Its entry point (./handler.ts) and promptIntake's both call it.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ConversationStore } from '../shared/conversation-store.js';
import { documentClient, tableName } from '../shared/dynamo.js';
import { EventsPublisher } from '../shared/events-publisher.js';
import { claimReservation, isCancelRequested, ledgerDepsFromEnv, settle } from '../shared/ledger/index.js';
import { logger, recordTurnMetrics } from '../shared/metrics.js';
import { isChatTurnRequest } from '../../schema/stream-protocol.js';
import { runTurn, type SettleTurn, type TurnLedger } from './run-turn.js';

/** Bedrock's own retry of throttled calls: the SDK backs off between attempts. */
const BEDROCK_MAX_ATTEMPTS = 4;

const region = process.env.AWS_REGION ?? 'us-east-1';
// Only the twin overrides the endpoint; in the cloud the SDK resolves the Region's.
const bedrock = new BedrockRuntimeClient({
  region,
  maxAttempts: BEDROCK_MAX_ATTEMPTS,
  ...(process.env.SLUICE_BEDROCK_ENDPOINT ? { endpoint: process.env.SLUICE_BEDROCK_ENDPOINT } : {}),
});
const store = new ConversationStore(documentClient(), {
  requests: tableName('ChatRequests'),
  conversations: tableName('Conversations'),
  messages: tableName('Messages'),
});
const publisher = new EventsPublisher({ url: requiredEnv('SLUICE_EVENTS_URL'), region });
const ledger = ledgerDepsFromEnv();

const settleWithLedger: SettleTurn = async ({ request, usage, outcome }) => {
  const result = await settle(ledger, { userId: request.userId, requestId: request.requestId, usage, outcome });
  if (!result.ok) throw new Error(`Settlement of ${request.requestId} failed: ${result.error.message}`);
  return { costUsd: result.settlement.costUsd };
};

const turnLedger: TurnLedger = {
  claim: (request) => claimReservation(ledger, { userId: request.userId, requestId: request.requestId }),
  isCancelRequested: (request) => isCancelRequested(ledger, { userId: request.userId, requestId: request.requestId }),
};

export async function streamChatTurn(event: unknown): Promise<{ status: string }> {
  if (!isChatTurnRequest(event)) {
    // A malformed event can never succeed: log it and return, so Lambda does not retry it.
    logger.error('chatStream received an event that is not a chat turn request', { event });
    return { status: 'rejected' };
  }
  const outcome = await runTurn(event, {
    bedrock,
    store,
    ledger: turnLedger,
    publisher,
    settle: settleWithLedger,
    region,
    reportUndelivered: ({ request, cause }) =>
      logger.error('chat stream not delivered: publishing to the Events API failed after retries', {
        requestId: request.requestId,
        userId: request.userId,
        modelId: request.modelId,
        cause,
      }),
    recordMetrics: ({ request, usage, costUsd, firstTokenMs, totalMs, outcome, streamDelivered }) =>
      recordTurnMetrics({
        requestId: request.requestId,
        userId: request.userId,
        modelId: request.modelId,
        group: request.policyGroup,
        outcome,
        usage,
        costUsd,
        timeToFirstTokenMs: firstTokenMs ?? undefined,
        durationMs: totalMs,
        streamDelivered,
      }),
  });
  const finished = { requestId: event.requestId, userId: event.userId, modelId: event.modelId, status: outcome.status };
  if (outcome.status === 'undelivered') logger.error('chat turn finished, its stream undelivered', finished);
  else logger.info('chat turn finished', finished);
  return { status: outcome.status };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
