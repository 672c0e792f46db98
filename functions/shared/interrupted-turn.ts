/**
 * Ends a turn whose function died mid-stream (a crash, a SIGKILL of the twin, a Lambda
 * timeout), so it is not left `streaming` forever. Called where such a turn is found: the
 * twin's start (no function is alive then), the sweeper once a claimed reservation
 * expires (the longest a function can run has passed), and a retried invocation that
 * finds its own earlier attempt's claim (that attempt's environment is gone).
 *
 * What the user gets: the text streamed up to the turn's last checkpoint
 * (ConversationStore.checkpoint), stored as an `incomplete` answer; the request recorded
 * `failed` with code TurnInterrupted; and one `error` event on the turn's channel. What is
 * billed: what was produced, as the streaming function bills a failed turn without
 * Bedrock's usage (input at admission's estimate, output at four characters a token), by
 * `settle`, which is idempotent: a turn that had settled keeps its first bill.
 */
import type { ConversationStore, RecordedTurn } from './conversation-store.js';
import { TurnStatus } from './conversation-store.js';
import type { EventsPublisher } from './events-publisher.js';
import { settle, type LedgerDeps } from './ledger/index.js';
import type { OpenEntry } from './ledger/budget-item.js';
import { chatChannel, ErrorCode, type ErrorEvent, type StreamUsage } from '../../schema/stream-protocol.js';

/** Rough token count of produced text no tokenizer counted (as chat-stream/produced-usage.ts). */
const CHARACTERS_PER_TOKEN = 4;

export const INTERRUPTED_MESSAGE =
  'The turn was interrupted: the function streaming it stopped. The answer so far is kept in the conversation, marked incomplete; you were billed for what was produced.';

export interface InterruptedTurnDeps {
  ledger: LedgerDeps;
  store: ConversationStore;
  publisher: Pick<EventsPublisher, 'publish'>;
  now?: () => Date;
  /** Told when the error event could not be published (the history still says what happened). */
  onPublishFailure?: (error: unknown) => void;
}

/** What ending one turn did. */
export interface InterruptedTurnOutcome {
  requestId: string;
  /** False when the turn had ended already (recorded finished, or nothing to end). */
  ended: boolean;
  costUsd?: number;
  keptCharacters: number;
}

/**
 * Ends one interrupted turn: settles it from what was produced, stores the kept text as an
 * incomplete answer, records it failed, and publishes `error`. Safe to run more than once
 * and beside a turn that finished meanwhile: every write is conditional or idempotent.
 * @example
 * await endInterruptedTurn(deps, { userId, requestId, entry });
 */
export async function endInterruptedTurn(
  deps: InterruptedTurnDeps,
  turn: { userId: string; requestId: string; /** The open reservation, when the turn still holds one. */ entry?: OpenEntry },
): Promise<InterruptedTurnOutcome> {
  const now = deps.now ?? (() => new Date());
  const record: RecordedTurn | undefined = await deps.store.readTurn(turn.requestId);
  if (record && record.userId !== turn.userId) return { requestId: turn.requestId, ended: false, keptCharacters: 0 };
  const text = record?.partialText ?? '';
  // No record: the function died between its claim and recording the turn, before the model could answer.
  const produced: StreamUsage = {
    inputTokens: record ? (turn.entry?.i ?? Math.ceil(record.prompt.length / CHARACTERS_PER_TOKEN)) : 0,
    outputTokens: Math.ceil(text.length / CHARACTERS_PER_TOKEN),
    cacheReadInputTokens: 0,
    cacheWriteInputTokens: 0,
  };
  const settled = await settle(deps.ledger, { userId: turn.userId, requestId: turn.requestId, usage: produced, outcome: 'failed' });
  const costUsd = settled.ok ? settled.settlement.costUsd : undefined;
  const usage = settled.ok && settled.settlement.alreadySettled ? settled.settlement.usage : produced;
  if (!record || record.status !== TurnStatus.STREAMING) {
    // Nothing recorded to end (or it ended): only a held reservation had to go.
    if (!record && turn.entry?.v) await publishInterrupted(deps, chatChannel(turn.userId, turn.entry.v), turn.requestId, 0);
    return { requestId: turn.requestId, ended: settled.ok && !settled.settlement.alreadySettled, costUsd, keptCharacters: 0 };
  }
  await deps.store.addMessage(
    {
      conversationId: record.conversationId,
      userId: record.userId,
      requestId: record.requestId,
      role: 'assistant',
      text,
      status: 'incomplete',
      modelId: record.modelId,
      usage,
      ...(costUsd !== undefined ? { costUsd } : {}),
    },
    now(),
    record.createdAt,
  );
  const ended = await deps.store.finishTurn(record.requestId, TurnStatus.FAILED, {
    usage,
    costUsd,
    errorCode: ErrorCode.TURN_INTERRUPTED,
    streamDelivered: false,
    streamError: 'the function streaming the turn stopped before the turn ended',
    now: now(),
    onlyIfStreaming: true,
  });
  if (ended) await publishInterrupted(deps, chatChannel(record.userId, record.conversationId), record.requestId, record.partialSeq ?? 0);
  return { requestId: turn.requestId, ended, costUsd, keptCharacters: text.length };
}

/**
 * The turn's closing `error` event. Its seq is the one after the last checkpoint: events
 * the dead function published after it are not in the stored text, so a subscriber that
 * saw them may take this one for a duplicate; it recovers from `conversation(id)` as after
 * any stream that went silent (docs/stream-protocol.md).
 */
async function publishInterrupted(deps: InterruptedTurnDeps, channel: string, requestId: string, seq: number): Promise<void> {
  const event: ErrorEvent = { type: 'error', requestId, seq, code: ErrorCode.TURN_INTERRUPTED, message: INTERRUPTED_MESSAGE, retryable: true };
  try {
    await deps.publisher.publish(channel, [event]);
  } catch (error) {
    deps.onPublishFailure?.(error);
  }
}
