import {
  ConverseStreamCommand,
  type BedrockRuntimeClient,
  type ConverseStreamCommandInput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { TurnStatus, type ConversationStore, type StoredMessage } from '../shared/conversation-store.js';
import { classifyFailure } from '../shared/failure.js';
import { invocationModelId } from '../shared/model-invocation.js';
import { chatChannel, ErrorCode, type ChatTurnRequest, type StopReason, type StreamUsage } from '../../schema/stream-protocol.js';
import { TurnStream, type TurnStreamOptions } from '../shared/turn-stream.js';
import { classifyBedrockError } from './bedrock-errors.js';
import { producedUsage } from './produced-usage.js';
import { rideOutOutage } from './ride-out-outage.js';
import { sendAfterClaim } from './send-after-claim.js';

/** What settles the turn's reservation against real usage; returns the cost billed. */
export type SettleTurn = (args: {
  request: ChatTurnRequest;
  usage: StreamUsage;
  outcome: 'completed' | 'cancelled' | 'failed';
}) => Promise<{ costUsd: number }>;

/** Emits the turn's metrics (Powertools EMF in the Lambda). */
export type RecordTurnMetrics = (args: {
  request: ChatTurnRequest;
  usage: StreamUsage;
  costUsd: number;
  firstTokenMs: number | null;
  totalMs: number;
  outcome: 'completed' | 'cancelled' | 'failed';
  errorCode?: string;
  /** False when the stream's publishes still failed after their retries. */
  streamDelivered: boolean;
}) => void;

/** Told when a turn's stream could not be delivered: the cloud logs it as an error. */
export type ReportUndelivered = (args: { request: ChatTurnRequest; cause: string }) => void;

/**
 * The turn's open reservation in the ledger (functions/shared/ledger/claim.ts): the claim,
 * the Lambda's one conditional write before the model call, and the cancel flag.
 */
export interface TurnLedger {
  /** `byEarlierAttempt`: an earlier attempt of this invocation claimed it and died (ledger/claim.ts). */
  claim(request: ChatTurnRequest): Promise<{ won: boolean; cancelled: boolean; byEarlierAttempt?: boolean }>;
  isCancelRequested(request: ChatTurnRequest): Promise<boolean>;
}

export interface TurnDependencies {
  bedrock: Pick<BedrockRuntimeClient, 'send'>;
  store: ConversationStore;
  ledger: TurnLedger;
  publisher: TurnStreamOptions['publisher'];
  settle: SettleTurn;
  /**
   * The Region Bedrock is called in: a catalogue model that runs there only through an
   * inference profile is called by the profile's id. @default the catalogue id as is
   */
  region?: string;
  recordMetrics?: RecordTurnMetrics;
  reportUndelivered?: ReportUndelivered;
  now?: () => Date;
  /** How often the turn looks for a cancel request: one flush. */
  cancelPollMs?: number;
  /** How often the streamed text is checkpointed (ConversationStore.checkpoint). @default DEFAULT_CHECKPOINT_INTERVAL_IN_MS */
  checkpointIntervalMs?: number;
  /**
   * Ends the turn when an earlier attempt of this invocation claimed it and died
   * (functions/shared/interrupted-turn.ts): the model is not called again.
   */
  endInterrupted?: (request: ChatTurnRequest) => Promise<unknown>;
  streamOptions?: Partial<TurnStreamOptions>;
  /** How long the end-of-turn writes retry through a dependency's outage. @default OUTAGE_WINDOW_IN_MS */
  outageWindowMs?: number;
  /**
   * Where the answer goes. @default a {@link TurnStream} publishing to the user's chat channel
   * (the OpenAI-compatible API writes server-sent events to its HTTP response instead).
   */
  openStream?: (request: ChatTurnRequest) => TurnSink;
  /** Aborted when the client went away: the model call stops and the turn is billed as a cancel. */
  clientGone?: AbortSignal;
}

/** What a turn's answer is written to: the Events channel's {@link TurnStream}, or an HTTP response. */
export type TurnSink = Pick<TurnStream, 'start' | 'delta' | 'flush' | 'end' | 'error' | 'streamedText' | 'publishCount' | 'failure' | 'nextSeq'>;

export interface TurnResult {
  /** `undelivered`: the model answered, but the stream never fully reached the Events API. */
  status: 'completed' | 'cancelled' | 'failed' | 'duplicate' | 'undelivered' | 'interrupted';
  text: string;
  usage?: StreamUsage;
  costUsd?: number;
  publishes?: number;
  /** Why a `failed` turn failed (the stream's `error.code`). */
  errorCode?: ErrorCode;
}

/**
 * How often a running turn reads its cancel flag (one consistent GetItem each time). Half
 * of one flush (DEFAULT_FLUSH_INTERVAL_IN_MS), so a cancel still stops the turn within one
 * flush, at a fifth of the reads (and the CPU) a 100 ms poll costs every streaming turn.
 */
export const DEFAULT_CANCEL_POLL_IN_MS = 500;

/**
 * How often a streaming turn saves its text so far (one UpdateItem on its ChatRequests
 * item, only when text was added): what a crash can lose, and what it costs. At 5 s, a
 * crash loses at most 5 s of answer, and a turn writes at most one checkpoint per 5 s of
 * streaming, each billed 1 WCU per KB of the request item (prompt + text so far):
 * docs/reliability.md has the figures. `SLUICE_CHECKPOINT_INTERVAL_MS` overrides it.
 */
export const DEFAULT_CHECKPOINT_INTERVAL_IN_MS = 5_000;

/**
 * One chat turn: claim it (once), call ConverseStream, stream batched deltas to the
 * user's channel, watch for a cancel, then store the answer, settle and publish `end`
 * (or `error`). Never throws for a model or user failure: those end the stream.
 */
export async function runTurn(request: ChatTurnRequest, deps: TurnDependencies): Promise<TurnResult> {
  const now = deps.now ?? (() => new Date());
  const startedAt = Date.now();
  // Time to first token is the product: the claim, the history read and the SDK's work on
  // the model request all overlap (a read wasted on a duplicate costs nothing), and a
  // conversation this turn creates has no history to read. The request leaves for Bedrock
  // only once the claim is won, so a duplicate delivery never calls the model, and a turn
  // cancelled before its claim never calls it either.
  const claim = deps.ledger.claim(request);
  claim.catch(noop);
  const claimed = claim.then((outcome) => outcome.won && !outcome.cancelled);
  claimed.catch(noop);
  const history: Promise<Pick<StoredMessage, 'role' | 'text'>[]> =
    request.history !== undefined ? Promise.resolve(request.history) : request.newConversation ? Promise.resolve([]) : deps.store.history(request.conversationId, request.userId);
  history.catch(noop);
  const priorMessages = await history;
  const input: ConverseStreamCommandInput = {
    modelId: deps.region ? invocationModelId(request.modelId, deps.region) : request.modelId,
    messages: [...toBedrockMessages(priorMessages), { role: 'user', content: [{ text: request.prompt }] }],
    inferenceConfig: { maxTokens: request.maxTokens, ...request.inference },
    ...(request.system ? { system: [{ text: request.system }] } : {}),
  };
  const abort = new AbortController();
  const modelCall = deps.bedrock.send(sendAfterClaim(new ConverseStreamCommand(input), claimed), { abortSignal: abort.signal });
  modelCall.catch(noop);
  // A failed claim fails the invocation (Lambda retries it); the held request is dropped, unsent.
  const { won, cancelled: cancelledBeforeClaim } = await claim.catch((error: unknown) => {
    abort.abort();
    throw error;
  });
  if (!won) {
    await modelCall.then(noop, noop);
    // This invocation's earlier attempt claimed the turn and its environment died: end the
    // turn from its checkpoint. The model is not called again (the held request was dropped).
    const claimOutcome = await claim;
    if (claimOutcome.byEarlierAttempt && deps.endInterrupted) {
      await deps.endInterrupted(request);
      return { status: 'interrupted', text: '' };
    }
    return { status: 'duplicate', text: '' };
  }
  // Won: record the turn (request item, conversation, the user's message) beside the model
  // call, off the path to the first token. Settlement waits for it, so the prompt is stored
  // before the reservation closes.
  const createdAt = request.createdAt ?? now().toISOString();
  // setImmediate: the model request (already signed, released by the claim) leaves first.
  const recorded = new Promise<void>((resolve) => setImmediate(resolve)).then(() => deps.store.recordTurn({ ...request, createdAt }, now()));
  recorded.catch(noop);

  const stream: TurnSink =
    deps.openStream?.(request) ??
    new TurnStream({
      publisher: deps.publisher,
      channel: chatChannel(request.userId, request.conversationId),
      requestId: request.requestId,
      ...deps.streamOptions,
    });
  stream.start(request.conversationId, request.modelId);
  // Checkpoints: the text subscribers were sent, saved every few seconds once the turn is
  // recorded, so a turn whose function dies keeps it (shared/interrupted-turn.ts).
  let checkpointedLength = 0;
  let checkpointing: Promise<void> = Promise.resolve();
  const checkpointTimer = setInterval(
    () => {
      const text = stream.streamedText;
      if (text.length === checkpointedLength) return;
      const nextSeq = stream.nextSeq;
      checkpointedLength = text.length;
      checkpointing = checkpointing
        .then(() => recorded)
        .then(() => deps.store.checkpoint(request.requestId, text, nextSeq, now()))
        .catch(noop);
    },
    deps.checkpointIntervalMs ?? (Number(process.env.SLUICE_CHECKPOINT_INTERVAL_MS) || DEFAULT_CHECKPOINT_INTERVAL_IN_MS),
  );
  let cancelled = cancelledBeforeClaim;
  // A client that hung up is a cancel: stop the model, bill what was produced.
  const onClientGone = () => {
    if (!cancelled) {
      cancelled = true;
      abort.abort();
    }
  };
  if (deps.clientGone?.aborted) onClientGone();
  deps.clientGone?.addEventListener('abort', onClientGone, { once: true });
  const cancelWatch = setInterval(() => {
    deps.ledger.isCancelRequested(request).then(
      (requested) => {
        if (requested && !cancelled) {
          cancelled = true;
          abort.abort();
        }
      },
      () => undefined,
    );
  }, deps.cancelPollMs ?? DEFAULT_CANCEL_POLL_IN_MS);

  let stopReason: StopReason | undefined;
  let usage: StreamUsage | undefined;
  let firstTokenAt: number | undefined;
  let deltas = 0;
  let failure: ReturnType<typeof classifyBedrockError> | undefined;
  // Whether Bedrock took the request (answered with a stream): a refused call (throttled,
  // unavailable, invalid) processed nothing, and AWS bills nothing for it.
  let modelAnswered = false;
  try {
    if (cancelled) throw new CancelledBeforeClaim();
    const response = await modelCall;
    modelAnswered = true;
    for await (const item of response.stream ?? []) {
      const text = item.contentBlockDelta?.delta?.text;
      if (text) {
        firstTokenAt ??= Date.now();
        deltas++;
        stream.delta(text);
      }
      if (item.messageStop?.stopReason) stopReason = item.messageStop.stopReason as StopReason;
      if (item.metadata?.usage) {
        const u = item.metadata.usage;
        usage = {
          inputTokens: u.inputTokens ?? 0,
          outputTokens: u.outputTokens ?? 0,
          cacheReadInputTokens: u.cacheReadInputTokens ?? 0,
          cacheWriteInputTokens: u.cacheWriteInputTokens ?? 0,
        };
      }
      if (cancelled) break;
    }
  } catch (error) {
    if (!cancelled) failure = classifyBedrockError(error);
  } finally {
    clearInterval(cancelWatch);
    deps.clientGone?.removeEventListener('abort', onClientGone);
    clearInterval(checkpointTimer);
  }
  await stream.flush();

  const outcome: 'completed' | 'cancelled' | 'failed' = cancelled ? 'cancelled' : failure ? 'failed' : 'completed';
  // Without Bedrock's metadata (cancel, error) bill what was produced.
  const billedUsage: StreamUsage =
    usage ??
    // Cancelled before its claim, or refused by Bedrock: nothing was processed or produced.
    (cancelledBeforeClaim || (failure && !modelAnswered)
      ? { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }
      : await producedUsage(deps.bedrock, { modelId: input.modelId!, messages: input.messages ?? [], system: input.system, streamedText: stream.streamedText, deltas }));
  const text = stream.streamedText;
  const finalStop: StopReason | undefined = cancelled ? 'cancelled' : stopReason;
  let costUsd: number;
  try {
    await recorded;
    await checkpointing;
    // Settling is idempotent, and the answer's id comes from its request (one answer per turn).
    ({ costUsd } = await rideOutOutage(() => deps.settle({ request, usage: billedUsage, outcome }), deps.outageWindowMs));
    const answeredAt = now();
    const answer = {
      conversationId: request.conversationId,
      userId: request.userId,
      requestId: request.requestId,
      role: 'assistant' as const,
      text,
      status: outcome === 'completed' ? ('complete' as const) : outcome === 'cancelled' ? ('cancelled' as const) : ('incomplete' as const),
      modelId: request.modelId,
      stopReason: finalStop,
      usage: billedUsage,
      costUsd,
    };
    await rideOutOutage(() => deps.store.addMessage(answer, answeredAt, createdAt), deps.outageWindowMs);
  } catch (error) {
    // The bill or the answer could not be written: the stream still ends, telling the user
    // what failed, and the invocation fails (Lambda retries it; the sweeper releases the
    // reservation at its expiry).
    const failed = classifyFailure(error);
    await stream.error({ code: failed.code, message: failed.message, retryable: failed.retryable });
    throw error;
  }
  const totalMs = Date.now() - startedAt;
  const firstTokenMs = firstTokenAt === undefined ? null : firstTokenAt - startedAt;
  if (failure) {
    await stream.error({ code: failure.code, message: failure.message, retryable: failure.retryable });
  } else {
    await stream.end({ stopReason: finalStop ?? 'end_turn', usage: billedUsage, costUsd, latency: { firstTokenMs, totalMs } });
  }
  // A stream no subscriber could receive is never reported as completed: the answer is
  // stored (clients recover it from the conversation), the turn says it was not delivered.
  const undelivered = stream.failure;
  const streamError = undelivered ? describePublishFailure(undelivered) : undefined;
  if (streamError) deps.reportUndelivered?.({ request, cause: streamError });
  const status: TurnStatus = undelivered && outcome === 'completed' ? TurnStatus.UNDELIVERED : outcome;
  await rideOutOutage(() => deps.store.finishTurn(request.requestId, status, {
    usage: billedUsage,
    costUsd,
    stopReason: finalStop,
    errorCode: failure?.code ?? (undelivered ? ErrorCode.STREAM_NOT_DELIVERED : undefined),
    streamDelivered: !undelivered,
    streamError,
    now: now(),
  }), deps.outageWindowMs);
  deps.recordMetrics?.({ request, usage: billedUsage, costUsd, firstTokenMs, totalMs, outcome, errorCode: failure?.code, streamDelivered: !undelivered });
  return { status, text, usage: billedUsage, costUsd, publishes: stream.publishCount, errorCode: failure?.code };
}

/** The publish failure with its underlying cause (e.g. `self-signed certificate in certificate chain`). */
function describePublishFailure(failure: Error): string {
  const cause = failure.cause instanceof Error ? failure.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return cause && !failure.message.includes(cause.message) ? `${failure.message} (cause: ${code ? `${code} ` : ''}${cause.message})` : `${failure.message}${code ? ` [${code}]` : ''}`;
}

/** A cancel that arrived before the claim: the model is never called. */
class CancelledBeforeClaim extends Error {}

function noop(): undefined {
  return undefined;
}

/** Stored turns as Bedrock messages: complete user/assistant pairs only, roles alternating. */
function toBedrockMessages(history: { role: 'user' | 'assistant'; text: string }[]): Message[] {
  const messages: Message[] = [];
  for (const message of history) {
    if (!message.text) continue;
    const last = messages[messages.length - 1];
    if (last?.role === message.role) continue;
    messages.push({ role: message.role, content: [{ text: message.text }] });
  }
  while (messages.length && messages[0].role !== 'user') messages.shift();
  if (messages.length && messages[messages.length - 1].role === 'user') messages.pop();
  return messages;
}
