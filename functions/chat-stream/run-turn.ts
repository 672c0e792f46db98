import {
  ConverseStreamCommand,
  type BedrockRuntimeClient,
  type ConverseStreamCommandInput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import type { ConversationStore, StoredMessage, TurnStatus } from '../shared/conversation-store.js';
import { chatChannel, ErrorCode, type ChatTurnRequest, type StopReason, type StreamUsage } from '../shared/protocol.js';
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
}) => void;

export interface TurnDependencies {
  bedrock: Pick<BedrockRuntimeClient, 'send'>;
  store: ConversationStore;
  publisher: TurnStreamOptions['publisher'];
  settle: SettleTurn;
  recordMetrics?: RecordTurnMetrics;
  now?: () => Date;
  /** How often the turn looks for a cancel request: one flush. */
  cancelPollMs?: number;
  streamOptions?: Partial<TurnStreamOptions>;
}

export interface TurnOutcome {
  status: 'completed' | 'cancelled' | 'failed' | 'duplicate';
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
export async function runTurn(request: ChatTurnRequest, deps: TurnDependencies): Promise<TurnOutcome> {
  const now = deps.now ?? (() => new Date());
  const startedAt = Date.now();
  // Time to first token is the product: the claim, the history read and the SDK's work on
  // the model request all overlap (a read wasted on a duplicate costs nothing), and a
  // conversation this turn created (admission proved it new) has no history to read. The
  // request leaves for Bedrock only once the claim is won, so a duplicate delivery never
  // calls the model.
  const claimed = deps.store.claimTurn(request.requestId, now());
  claimed.catch(noop);
  const history: Promise<StoredMessage[]> = request.newConversation ? Promise.resolve([]) : deps.store.history(request.conversationId);
  history.catch(noop);
  const priorMessages = await history;
  const input: ConverseStreamCommandInput = {
    modelId: request.modelId,
    messages: [...toBedrockMessages(priorMessages), { role: 'user', content: [{ text: request.prompt }] }],
    inferenceConfig: { maxTokens: request.maxTokens },
    ...(request.system ? { system: [{ text: request.system }] } : {}),
  };
  const abort = new AbortController();
  const modelCall = deps.bedrock.send(sendAfterClaim(new ConverseStreamCommand(input), claimed), { abortSignal: abort.signal });
  modelCall.catch(noop);
  // A failed claim fails the invocation (Lambda retries it); the held request is dropped, unsent.
  const won = await claimed.catch((error: unknown) => {
    abort.abort();
    throw error;
  });
  if (!won) {
    await modelCall.then(noop, noop);
    return { status: 'duplicate', text: '' };
  }

  const stream = new TurnStream({
    publisher: deps.publisher,
    channel: chatChannel(request.userId, request.conversationId),
    requestId: request.requestId,
    ...deps.streamOptions,
  });
  stream.start(request.conversationId, request.modelId);
  let cancelled = false;
  const cancelWatch = setInterval(() => {
    deps.store.isCancelRequested(request.requestId).then(
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
  // Admission stored the user's message, and created or bumped the conversation, in the
  // write that recorded the request (functions/shared/turn-record.ts), whichever way the
  // turn came in: nothing else is written before the answer.
  try {
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
    usage ?? (await producedUsage(deps.bedrock, { modelId: request.modelId, messages: input.messages ?? [], system: input.system, streamedText: stream.streamedText, deltas }));
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
  const status: TurnStatus = outcome;
  await deps.store.finishTurn(request.requestId, status, {
    usage: billedUsage,
    costUsd,
    stopReason: finalStop,
    errorCode: failure?.code ?? (stream.failure ? ErrorCode.INTERNAL : undefined),
    now: now(),
  });
  deps.recordMetrics?.({ request, usage: billedUsage, costUsd, firstTokenMs, totalMs, outcome, errorCode: failure?.code });
  return { status: outcome, text, usage: billedUsage, costUsd, publishes: stream.publishCount };
}

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
