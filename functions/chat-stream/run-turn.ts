import {
  ConverseStreamCommand,
  type BedrockRuntimeClient,
  type ConverseStreamCommandInput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { TurnStatus, type ConversationStore, type StoredMessage } from '../shared/conversation-store.js';
import { invocationModelId } from '../shared/model-invocation.js';
import { chatChannel, ErrorCode, type ChatTurnRequest, type StopReason, type StreamUsage } from '../../schema/stream-protocol.js';
import { TurnStream, type TurnStreamOptions } from '../shared/turn-stream.js';
import { classifyBedrockError } from './bedrock-errors.js';
import { producedUsage } from './produced-usage.js';
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
  claim(request: ChatTurnRequest): Promise<{ won: boolean; cancelled: boolean }>;
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
  streamOptions?: Partial<TurnStreamOptions>;
}

export interface TurnResult {
  /** `undelivered`: the model answered, but the stream never fully reached the Events API. */
  status: 'completed' | 'cancelled' | 'failed' | 'duplicate' | 'undelivered';
  text: string;
  usage?: StreamUsage;
  costUsd?: number;
  publishes?: number;
}

/**
 * How often a running turn reads its cancel flag (one consistent GetItem each time). Half
 * of one flush (DEFAULT_FLUSH_INTERVAL_IN_MS), so a cancel still stops the turn within one
 * flush, at a fifth of the reads (and the CPU) a 100 ms poll costs every streaming turn.
 */
export const DEFAULT_CANCEL_POLL_IN_MS = 500;

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
  const history: Promise<StoredMessage[]> = request.newConversation ? Promise.resolve([]) : deps.store.history(request.conversationId);
  history.catch(noop);
  const priorMessages = await history;
  const input: ConverseStreamCommandInput = {
    modelId: deps.region ? invocationModelId(request.modelId, deps.region) : request.modelId,
    messages: [...toBedrockMessages(priorMessages), { role: 'user', content: [{ text: request.prompt }] }],
    inferenceConfig: { maxTokens: request.maxTokens },
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
    return { status: 'duplicate', text: '' };
  }
  // Won: record the turn (request item, conversation, the user's message) beside the model
  // call, off the path to the first token. Settlement waits for it, so the prompt is stored
  // before the reservation closes.
  const createdAt = request.createdAt ?? now().toISOString();
  // setImmediate: the model request (already signed, released by the claim) leaves first.
  const recorded = new Promise<void>((resolve) => setImmediate(resolve)).then(() => deps.store.recordTurn({ ...request, createdAt }, now()));
  recorded.catch(noop);

  const stream = new TurnStream({
    publisher: deps.publisher,
    channel: chatChannel(request.userId, request.conversationId),
    requestId: request.requestId,
    ...deps.streamOptions,
  });
  stream.start(request.conversationId, request.modelId);
  let cancelled = cancelledBeforeClaim;
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
  try {
    if (cancelled) throw new CancelledBeforeClaim();
    const response = await modelCall;
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
  }
  await stream.flush();

  const outcome: 'completed' | 'cancelled' | 'failed' = cancelled ? 'cancelled' : failure ? 'failed' : 'completed';
  // Without Bedrock's metadata (cancel, error) bill what was produced.
  const billedUsage: StreamUsage =
    usage ??
    // Cancelled before its claim: the model was never called, so nothing was produced.
    (cancelledBeforeClaim
      ? { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }
      : await producedUsage(deps.bedrock, { modelId: input.modelId!, messages: input.messages ?? [], system: input.system, streamedText: stream.streamedText, deltas }));
  await recorded;
  const { costUsd } = await deps.settle({ request, usage: billedUsage, outcome });
  const text = stream.streamedText;
  const finalStop: StopReason | undefined = cancelled ? 'cancelled' : stopReason;
  await deps.store.addMessage(
    {
      conversationId: request.conversationId,
      userId: request.userId,
      requestId: request.requestId,
      role: 'assistant',
      text,
      status: outcome === 'completed' ? 'complete' : outcome === 'cancelled' ? 'cancelled' : 'incomplete',
      modelId: request.modelId,
      stopReason: finalStop,
      usage: billedUsage,
      costUsd,
    },
    now(),
  );
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
  await deps.store.finishTurn(request.requestId, status, {
    usage: billedUsage,
    costUsd,
    stopReason: finalStop,
    errorCode: failure?.code ?? (undelivered ? ErrorCode.STREAM_NOT_DELIVERED : undefined),
    streamDelivered: !undelivered,
    streamError,
    now: now(),
  });
  deps.recordMetrics?.({ request, usage: billedUsage, costUsd, firstTokenMs, totalMs, outcome, errorCode: failure?.code, streamDelivered: !undelivered });
  return { status, text, usage: billedUsage, costUsd, publishes: stream.publishCount };
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
