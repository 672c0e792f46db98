import { ConverseStreamCommand, type BedrockRuntimeClient, type ConverseStreamCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { TurnStatus, type ConversationStore } from '../shared/conversation-store.js';
import { classifyFailure } from '../shared/failure.js';
import { chatChannel, ErrorCode, type ChatTurnRequest, type StopReason, type StreamUsage } from '../../schema/stream-protocol.js';
import { TurnStream, type TurnStreamOptions } from '../shared/turn-stream.js';
import type { ClassifiedModelError } from './bedrock-errors.js';
import { CancelWatch } from './cancel-watch.js';
import { Checkpoints } from './checkpoints.js';
import { conversationHistory, converseInput, type PriorMessage } from './converse-input.js';
import { producedUsage } from './produced-usage.js';
import { rideOutOutage } from './ride-out-outage.js';
import { sendAfterClaim } from './send-after-claim.js';
import { streamAnswer, type StreamedAnswer } from './stream-answer.js';

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
  const claim = claimTurn(deps.ledger, request);
  const priorMessages = await conversationHistory(request, deps.store);
  const { input, abort, modelCall } = callModelOnceClaimed(request, deps, priorMessages, claim.claimed);
  // A failed claim fails the invocation (Lambda retries it); the held request is dropped, unsent.
  const { won, cancelled: cancelledBeforeClaim, byEarlierAttempt } = await claim.outcome.catch((error: unknown) => {
    abort.abort();
    throw error;
  });
  if (!won) return endUnclaimed(request, deps, modelCall, byEarlierAttempt);

  const createdAt = request.createdAt ?? now().toISOString();
  const recorded = recordTurnBesideModelCall(request, deps, createdAt, now);
  const sink = openSink(request, deps);
  sink.start(request.conversationId, request.modelId);
  const checkpoints = startCheckpoints(request, deps, sink, recorded, now);
  const cancel = watchForCancel(request, deps, abort, cancelledBeforeClaim);
  let answer: StreamedAnswer;
  try {
    answer = await streamAnswer(modelCall, sink, cancel);
  } finally {
    cancel.stop();
    checkpoints.stop();
  }
  await sink.flush();

  const { failure } = answer;
  const outcome: Outcome = cancel.cancelled ? 'cancelled' : failure ? 'failed' : 'completed';
  // Without Bedrock's metadata (cancel, error) bill what was produced; a turn cancelled
  // before its claim, or refused by Bedrock, processed and produced nothing.
  const usage: StreamUsage =
    answer.usage ?? (cancelledBeforeClaim || (failure && !answer.modelAnswered) ? noUsage() : await countProducedUsage(deps.bedrock, input, sink, answer.deltas));
  const ended: EndedTurn = { request, outcome, usage, text: sink.streamedText, stopReason: cancel.cancelled ? 'cancelled' : answer.stopReason, failure };
  const costUsd = await billAndStoreAnswer(ended, deps, sink, { recorded, checkpoints, createdAt, now });
  const totalMs = Date.now() - startedAt;
  const firstTokenMs = answer.firstTokenAt === undefined ? null : answer.firstTokenAt - startedAt;
  await publishEnd(ended, sink, { costUsd, firstTokenMs, totalMs });
  return finishTurn(ended, deps, sink, { costUsd, firstTokenMs, totalMs, now });
}

type Outcome = 'completed' | 'cancelled' | 'failed';

/** A turn whose answer ended: what it is billed, stored and finished with. */
interface EndedTurn {
  request: ChatTurnRequest;
  outcome: Outcome;
  usage: StreamUsage;
  text: string;
  stopReason: StopReason | undefined;
  failure: ClassifiedModelError | undefined;
}

/** The claim, begun at once; `claimed` holds the model request until it is won (and not cancelled). */
function claimTurn(ledger: TurnLedger, request: ChatTurnRequest) {
  const outcome = ledger.claim(request);
  outcome.catch(noop);
  const claimed = outcome.then((claim) => claim.won && !claim.cancelled);
  claimed.catch(noop);
  return { outcome, claimed };
}

/**
 * Builds the model request from the history and sends it at once: the SDK serializes and
 * signs it while the claim is in flight, and the request leaves only once `claimed` is true.
 */
function callModelOnceClaimed(request: ChatTurnRequest, deps: TurnDependencies, priorMessages: PriorMessage[], claimed: Promise<boolean>) {
  const input = converseInput(request, priorMessages, deps.region);
  const abort = new AbortController();
  const modelCall = deps.bedrock.send(sendAfterClaim(new ConverseStreamCommand(input), claimed), { abortSignal: abort.signal });
  modelCall.catch(noop);
  return { input, abort, modelCall };
}

/**
 * A claim this delivery lost: a duplicate, or a turn this invocation's earlier attempt
 * claimed before its environment died, ended from its checkpoint. Either way the held
 * model request was dropped: the model is not called again.
 */
async function endUnclaimed(
  request: ChatTurnRequest,
  deps: TurnDependencies,
  modelCall: Promise<unknown>,
  byEarlierAttempt: boolean | undefined,
): Promise<TurnResult> {
  await modelCall.then(noop, noop);
  if (byEarlierAttempt && deps.endInterrupted) {
    await deps.endInterrupted(request);
    return { status: 'interrupted', text: '' };
  }
  return { status: 'duplicate', text: '' };
}

/**
 * Records the won turn (request item, conversation, the user's message) beside the model
 * call, off the path to the first token. Settlement waits for it, so the prompt is stored
 * before the reservation closes.
 */
function recordTurnBesideModelCall(request: ChatTurnRequest, deps: TurnDependencies, createdAt: string, now: () => Date): Promise<void> {
  // setImmediate: the model request (already signed, released by the claim) leaves first.
  const recorded = new Promise<void>((resolve) => setImmediate(resolve)).then(() => deps.store.recordTurn({ ...request, createdAt }, now()));
  recorded.catch(noop);
  return recorded;
}

/** Where the answer goes: the caller's sink, else a TurnStream publishing to the user's chat channel. */
function openSink(request: ChatTurnRequest, deps: TurnDependencies): TurnSink {
  return (
    deps.openStream?.(request) ??
    new TurnStream({
      publisher: deps.publisher,
      channel: chatChannel(request.userId, request.conversationId),
      requestId: request.requestId,
      ...deps.streamOptions,
    })
  );
}

function startCheckpoints(request: ChatTurnRequest, deps: TurnDependencies, sink: TurnSink, recorded: Promise<void>, now: () => Date): Checkpoints {
  return new Checkpoints({
    sink,
    recorded,
    save: (text, nextSeq) => deps.store.checkpoint(request.requestId, text, nextSeq, now()),
    intervalMs: deps.checkpointIntervalMs ?? (Number(process.env.SLUICE_CHECKPOINT_INTERVAL_MS) || DEFAULT_CHECKPOINT_INTERVAL_IN_MS),
  });
}

function watchForCancel(request: ChatTurnRequest, deps: TurnDependencies, abort: AbortController, cancelledBeforeClaim: boolean): CancelWatch {
  return new CancelWatch({
    cancelledBeforeClaim,
    abort,
    isCancelRequested: () => deps.ledger.isCancelRequested(request),
    pollMs: deps.cancelPollMs ?? DEFAULT_CANCEL_POLL_IN_MS,
    clientGone: deps.clientGone,
  });
}

function noUsage(): StreamUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
}

/** What a turn ended without Bedrock's usage produced: its prompt and the text it streamed. */
function countProducedUsage(bedrock: TurnDependencies['bedrock'], input: ConverseStreamCommandInput, sink: TurnSink, deltas: number): Promise<StreamUsage> {
  return producedUsage(bedrock, { modelId: input.modelId!, messages: input.messages ?? [], system: input.system, streamedText: sink.streamedText, deltas });
}

/**
 * Settles the turn and stores its answer, once the turn's record and checkpoints are
 * written; returns the cost billed. When either write fails the stream still ends, telling
 * the user what failed, and the invocation fails (Lambda retries it; the sweeper releases
 * the reservation at its expiry).
 */
async function billAndStoreAnswer(
  turn: EndedTurn,
  deps: TurnDependencies,
  sink: TurnSink,
  written: { recorded: Promise<void>; checkpoints: Checkpoints; createdAt: string; now: () => Date },
): Promise<number> {
  const { request, outcome, usage } = turn;
  try {
    await written.recorded;
    await written.checkpoints.written();
    // Settling is idempotent, and the answer's id comes from its request (one answer per turn).
    const { costUsd } = await rideOutOutage(() => deps.settle({ request, usage, outcome }), deps.outageWindowMs);
    const answeredAt = written.now();
    const answer = {
      conversationId: request.conversationId,
      userId: request.userId,
      requestId: request.requestId,
      role: 'assistant' as const,
      text: turn.text,
      status: outcome === 'completed' ? ('complete' as const) : outcome === 'cancelled' ? ('cancelled' as const) : ('incomplete' as const),
      modelId: request.modelId,
      stopReason: turn.stopReason,
      usage,
      costUsd,
    };
    await rideOutOutage(() => deps.store.addMessage(answer, answeredAt, written.createdAt), deps.outageWindowMs);
    return costUsd;
  } catch (error) {
    const failed = classifyFailure(error);
    await sink.error({ code: failed.code, message: failed.message, retryable: failed.retryable });
    throw error;
  }
}

/** The stream's last event: `error` for a model failure, else `end` with the bill. */
function publishEnd(turn: EndedTurn, sink: TurnSink, billed: { costUsd: number; firstTokenMs: number | null; totalMs: number }): Promise<void> {
  const { failure } = turn;
  if (failure) return sink.error({ code: failure.code, message: failure.message, retryable: failure.retryable });
  return sink.end({ stopReason: turn.stopReason ?? 'end_turn', usage: turn.usage, costUsd: billed.costUsd, latency: { firstTokenMs: billed.firstTokenMs, totalMs: billed.totalMs } });
}

/**
 * Closes the turn's record with its status and emits its metrics. A stream no subscriber
 * could receive is never reported as completed: the answer is stored (clients recover it
 * from the conversation), the turn says it was not delivered.
 */
async function finishTurn(
  turn: EndedTurn,
  deps: TurnDependencies,
  sink: TurnSink,
  billed: { costUsd: number; firstTokenMs: number | null; totalMs: number; now: () => Date },
): Promise<TurnResult> {
  const { request, outcome, usage, failure } = turn;
  const { costUsd, firstTokenMs, totalMs } = billed;
  const undelivered = sink.failure;
  const streamError = undelivered ? describePublishFailure(undelivered) : undefined;
  if (streamError) deps.reportUndelivered?.({ request, cause: streamError });
  const status: TurnStatus = undelivered && outcome === 'completed' ? TurnStatus.UNDELIVERED : outcome;
  await rideOutOutage(() => deps.store.finishTurn(request.requestId, status, {
    usage,
    costUsd,
    stopReason: turn.stopReason,
    errorCode: failure?.code ?? (undelivered ? ErrorCode.STREAM_NOT_DELIVERED : undefined),
    streamDelivered: !undelivered,
    streamError,
    now: billed.now(),
  }), deps.outageWindowMs);
  deps.recordMetrics?.({ request, usage, costUsd, firstTokenMs, totalMs, outcome, errorCode: failure?.code, streamDelivered: !undelivered });
  return { status, text: turn.text, usage, costUsd, publishes: sink.publishCount, errorCode: failure?.code };
}

/** The publish failure with its underlying cause (e.g. `self-signed certificate in certificate chain`). */
function describePublishFailure(failure: Error): string {
  const cause = failure.cause instanceof Error ? failure.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return cause && !failure.message.includes(cause.message) ? `${failure.message} (cause: ${code ? `${code} ` : ''}${cause.message})` : `${failure.message}${code ? ` [${code}]` : ''}`;
}

function noop(): undefined {
  return undefined;
}
