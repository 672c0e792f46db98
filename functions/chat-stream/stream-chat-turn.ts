/**
 * The streaming Lambda's work: invoked asynchronously (InvocationType Event) with one
 * admitted chat turn, it streams Bedrock's answer to the user's Events channel and bills
 * it. Its entry point (./handler.ts) and promptIntake's both call it, and the
 * OpenAI-compatible API runs its turns through `streamTurn`.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { withInvocationDeadline } from '../shared/deadline.js';
import { boundedByInvocationDeadline } from '../shared/sdk-deadline.js';
import { ConversationStore } from '../shared/conversation-store.js';
import { documentClient, tableName } from '../shared/dynamo.js';
import { EventsPublisher } from '../shared/events-publisher.js';
import { claimReservation, isCancelRequested, ledgerDepsFromEnv, settle } from '../shared/ledger/index.js';
import { logger, recordTurnMetrics } from '../shared/metrics.js';
import { isChatTurnRequest, type ChatTurnRequest } from '../../schema/stream-protocol.js';
import { endInterruptedTurn } from '../shared/interrupted-turn.js';
import { runTurn, type SettleTurn, type TurnDependencies, type TurnLedger, type TurnResult } from './run-turn.js';

/** Bedrock's own retry of throttled calls: the SDK backs off between attempts. */
const BEDROCK_MAX_ATTEMPTS = 4;

const region = process.env.AWS_REGION ?? 'us-east-1';
// Only the twin overrides the endpoint; in the cloud the SDK resolves the Region's.
// Its retries stop when the invocation's remaining time cannot fit another (shared/sdk-deadline.ts).
const bedrock = boundedByInvocationDeadline(
  new BedrockRuntimeClient({
    region,
    maxAttempts: BEDROCK_MAX_ATTEMPTS,
    ...(process.env.SLUICE_BEDROCK_ENDPOINT ? { endpoint: process.env.SLUICE_BEDROCK_ENDPOINT } : {}),
  }),
);
const store = new ConversationStore(documentClient(), {
  requests: tableName('ChatRequests'),
  conversations: tableName('Conversations'),
  messages: tableName('Messages'),
});
const publisher = new EventsPublisher({ url: requiredEnv('SLUICE_EVENTS_URL'), region });
const ledger = ledgerDepsFromEnv();

/** Settles in the ledger; the hold on the API key the turn came in with, if any, in the same transaction. */
const settleWithLedger: SettleTurn = async ({ request, usage, outcome }) => {
  const result = await settle(ledger, { userId: request.userId, requestId: request.requestId, usage, outcome, via: request.via ?? 'chat' });
  if (!result.ok) throw new Error(`Settlement of ${request.requestId} failed: ${result.error.message}`);
  return { costUsd: result.settlement.costUsd };
};

/** The ledger side of a turn; the claim carries the invocation's id, so Lambda's retry of it can tell it died. */
const turnLedger = (invocationId: string | undefined): TurnLedger => ({
  claim: (request) => claimReservation(ledger, { userId: request.userId, requestId: request.requestId, invocationId }),
  isCancelRequested: (request) => isCancelRequested(ledger, { userId: request.userId, requestId: request.requestId }),
});

const endInterrupted = (request: ChatTurnRequest) =>
  endInterruptedTurn(
    { ledger, store, publisher, onPublishFailure: (error) => logger.error('could not publish an interrupted turn\'s error event', { requestId: request.requestId, error: error as Error }) },
    { userId: request.userId, requestId: request.requestId },
  ).then((outcome) => logger.warn('ended a turn whose earlier attempt died mid-stream', { ...outcome, userId: request.userId }));

export function streamChatTurn(event: unknown, context?: unknown): Promise<{ status: string }> {
  const invocationId = (context as { awsRequestId?: unknown } | undefined)?.awsRequestId;
  return withInvocationDeadline(context, () => streamChatEvent(event, typeof invocationId === 'string' ? invocationId : undefined));
}

async function streamChatEvent(event: unknown, invocationId: string | undefined): Promise<{ status: string }> {
  if (!isChatTurnRequest(event)) {
    // A malformed event can never succeed: log it and return, so Lambda does not retry it.
    logger.error('chatStream received an event that is not a chat turn request', { event });
    return { status: 'rejected' };
  }
  const outcome = await streamTurn(event, { invocationId });
  const finished = { requestId: event.requestId, userId: event.userId, modelId: event.modelId, status: outcome.status };
  if (outcome.status === 'undelivered') logger.error('chat turn finished, its stream undelivered', finished);
  // A failed turn is a dependency's failure (the model throttled, unavailable) or ours: worth a look.
  else if (outcome.status === 'failed') logger.warn('chat turn failed', { ...finished, errorCode: outcome.errorCode });
  else logger.info('chat turn finished', finished);
  return { status: outcome.status };
}

/** How a way in other than the Events channel runs a turn: its own sink, its client's hang-up. */
export interface StreamTurnOptions {
  openStream?: TurnDependencies['openStream'];
  clientGone?: AbortSignal;
  /** The invocation running the turn, recorded with the claim so a retry of it can tell it died. */
  invocationId?: string;
}

/**
 * Runs one admitted turn with this container's clients: the claim, the model call, storing,
 * settlement and metrics. Every way in (startChat, /prompts/{sub}, the OpenAI-compatible API)
 * runs its turns through here, so they are billed and metered alike.
 */
export function streamTurn(request: ChatTurnRequest, options: StreamTurnOptions = {}): Promise<TurnResult> {
  return runTurn(request, {
    bedrock,
    store,
    ledger: turnLedger(options.invocationId),
    endInterrupted,
    publisher,
    settle: settleWithLedger,
    openStream: options.openStream,
    clientGone: options.clientGone,
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
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
