import { Hub } from 'aws-amplify/utils';
import { CONNECTION_STATE_CHANGE, ConnectionState, events } from 'aws-amplify/data';
import { chatChannel, type EndEvent } from '../../../schema/stream-protocol.js';
import { graphql } from '../api/client.js';
import { ApiError, ErrorCode, toApiError } from '../api/errors.js';
import { CANCEL_CHAT, START_CHAT, type Message } from '../api/operations.js';
import { finalAssistantMessage } from './recover.js';
import { StreamAssembler, StreamStatus } from './stream-assembler.js';

/** How long a later `seq` may wait for an earlier one before the turn recovers from the query. */
export const GAP_WAIT_IN_MS = 2_000;
/**
 * A turn that has had no stream event this long after startChat answered recovers from the
 * query: the stream may never come (its publishes failed), and a user must not wait forever.
 * If events do come after all, they still finish the turn as usual.
 */
export const FIRST_EVENT_TIMEOUT_IN_MS = 5_000;
/** A streaming turn with no event for this long (deltas flush every second) is presumed cut off and recovers from the query. */
export const STALL_TIMEOUT_IN_MS = 10_000;
/** How often recovery polls the conversation for the final message. */
export const RECOVERY_POLL_INTERVAL_IN_MS = 1_000;
/** Recovery gives up (status `incomplete`) after this long. */
export const RECOVERY_TIMEOUT_IN_MS = 90_000;
/** After Stop, how long to wait for the `cancelled` end before showing the turn as stopped anyway. */
export const STOP_GRACE_IN_MS = 5_000;
/** How long the subscription may take to be acknowledged before the turn is not started. */
export const SUBSCRIBE_TIMEOUT_IN_MS = 10_000;

/** What the UI shows of a running turn. */
export interface TurnView {
  conversationId: string;
  requestId?: string;
  text: string;
  status: StreamStatus;
  end?: Pick<EndEvent, 'stopReason' | 'usage' | 'costUsd' | 'latency'>;
  error?: { code: string; message: string };
  /** True when the final text came from the conversation query, not the stream: the live stream failed. */
  recovered: boolean;
  /** True while the turn is fetching what the stream missed. */
  recovering: boolean;
}

export interface TurnOptions {
  sub: string;
  conversationId: string;
  /** The turn creates `conversationId` (a fresh id): the gateway skips reading its history. */
  newConversation?: boolean;
  modelId: string;
  prompt: string;
  maxTokens?: number;
  onUpdate(view: TurnView): void;
}

/** A started turn: stop it, or await its final view. */
export interface TurnHandle {
  stop(): Promise<void>;
  done: Promise<TurnView>;
}

/**
 * Runs one chat turn: subscribes to the conversation's channel (and waits for the
 * subscription to be acknowledged) BEFORE calling startChat, so no event is missed; then
 * assembles the stream by `seq`. When the connection drops, a gap does not fill, or the
 * stream stalls, it re-subscribes and recovers the final answer from `conversation(id)`.
 *
 * @example
 * ```ts
 * const turn = startTurn({ sub, conversationId, modelId: 'sluice.simulator', prompt, onUpdate: render });
 * await turn.stop();
 * ```
 */
export function startTurn(options: TurnOptions): TurnHandle {
  const assembler = new StreamAssembler();
  let view: TurnView = { conversationId: options.conversationId, text: '', status: StreamStatus.WAITING, recovered: false, recovering: false };
  let channel: Awaited<ReturnType<typeof events.connect>> | undefined;
  let subscription: { unsubscribe(): void } | undefined;
  let lastEventAt = Date.now();
  let sawEvent = false;
  let gapSince: number | undefined;
  let recovery: Promise<void> | undefined;
  let stopRequested = false;
  let finished = false;
  let resolveDone!: (view: TurnView) => void;
  const done = new Promise<TurnView>((resolve) => (resolveDone = resolve));

  const publish = (patch: Partial<TurnView>) => {
    view = { ...view, ...patch };
    options.onUpdate(view);
  };

  const finish = (patch: Partial<TurnView>) => {
    if (finished) return;
    finished = true;
    publish({ ...patch, recovering: false });
    clearInterval(watchdog);
    stopListening();
    subscription?.unsubscribe();
    void channel?.close();
    resolveDone(view);
  };

  const applySnapshot = () => {
    const snap = assembler.snapshot;
    gapSince = snap.hasGap ? (gapSince ?? Date.now()) : undefined;
    const patch: Partial<TurnView> = { text: snap.text, status: snap.status };
    if (snap.end) patch.end = { stopReason: snap.end.stopReason, usage: snap.end.usage, costUsd: snap.end.costUsd, latency: snap.end.latency };
    if (snap.error) patch.error = { code: snap.error.code, message: snap.error.message };
    if (assembler.isFinished) finish(patch);
    else publish(patch);
  };

  const onEvent = (payload: unknown) => {
    lastEventAt = Date.now();
    sawEvent = true;
    if (assembler.accept(payload)) applySnapshot();
  };

  const subscribe = () => {
    if (!channel) throw new Error('No channel');
    const sub = channel.subscribe({
      next: (message: { event?: unknown }) => onEvent(message?.event),
      error: () => void recover(),
    });
    subscription = sub;
    return sub as typeof sub & { ready?: Promise<unknown> };
  };

  const recover = (): Promise<void> => {
    if (finished || !view.requestId) return Promise.resolve();
    recovery ??= (async () => {
      publish({ recovering: true });
      // A fresh subscription re-opens the WebSocket when the old one died.
      try {
        subscription?.unsubscribe();
        subscribe();
      } catch {
        // The query below still recovers the answer.
      }
      const deadline = Date.now() + RECOVERY_TIMEOUT_IN_MS;
      while (!finished && Date.now() < deadline) {
        try {
          const message = await finalAssistantMessage(options.conversationId, view.requestId!);
          if (message) return finish(fromStoredMessage(message));
        } catch {
          // Offline still: try again on the next tick.
        }
        await sleep(RECOVERY_POLL_INTERVAL_IN_MS);
      }
      finish({ status: StreamStatus.INCOMPLETE, error: { code: ErrorCode.NETWORK, message: 'The answer could not be recovered.' } });
    })().finally(() => (recovery = undefined));
    return recovery;
  };

  const watchdog = setInterval(() => {
    if (finished || !view.requestId || recovery) return;
    const now = Date.now();
    const silentFor = now - lastEventAt;
    const stalled = silentFor > (sawEvent ? STALL_TIMEOUT_IN_MS : FIRST_EVENT_TIMEOUT_IN_MS);
    if ((gapSince !== undefined && now - gapSince > GAP_WAIT_IN_MS) || stalled) void recover();
  }, 500);

  let disrupted = false;
  const stopListening = Hub.listen('api', ({ payload }) => {
    if (payload.event !== CONNECTION_STATE_CHANGE) return;
    const state = (payload.data as { connectionState?: string } | undefined)?.connectionState;
    if (state === ConnectionState.ConnectionDisrupted || state === ConnectionState.ConnectionDisruptedPendingNetwork) disrupted = true;
    else if (state === ConnectionState.Connected && disrupted) {
      // Events published while the socket was down are gone: read the stored answer.
      disrupted = false;
      void recover();
    }
  });

  const cancel = async (requestId: string) => {
    try {
      await graphql(CANCEL_CHAT, { requestId });
    } catch (error) {
      publish({ error: { code: toApiError(error).code, message: `Could not stop: ${toApiError(error).advice}` } });
    }
  };

  void (async () => {
    try {
      channel = await events.connect(chatChannel(options.sub, options.conversationId));
      const sub = subscribe();
      await withTimeout(sub.ready ?? Promise.resolve(), SUBSCRIBE_TIMEOUT_IN_MS, 'The stream subscription was not acknowledged.');
      const { startChat } = await graphql(START_CHAT, {
        input: {
          conversationId: options.conversationId,
          newConversation: options.newConversation,
          modelId: options.modelId,
          prompt: options.prompt,
          maxTokens: options.maxTokens,
        },
      });
      if (!startChat) throw new ApiError(ErrorCode.INTERNAL, 'startChat returned no turn.');
      lastEventAt = Date.now();
      assembler.bind(startChat.requestId);
      // Events that beat the startChat response were held by the assembler until bind().
      publish({ requestId: startChat.requestId });
      applySnapshot();
      if (stopRequested) await cancel(startChat.requestId);
    } catch (error) {
      const apiError = toApiError(error);
      finish({ status: StreamStatus.FAILED, error: { code: apiError.code, message: apiError.message } });
    }
  })();

  return {
    done,
    async stop() {
      if (finished) return;
      stopRequested = true;
      // The end event brings the billed figures; if it never comes, do not leave the user stuck.
      setTimeout(() => finish({ status: StreamStatus.CANCELLED }), STOP_GRACE_IN_MS);
      if (view.requestId) await cancel(view.requestId);
    },
  };
}

function fromStoredMessage(message: Message): Partial<TurnView> {
  const cancelled = message.stopReason === 'cancelled';
  const status = message.status === 'COMPLETE' ? (cancelled ? StreamStatus.CANCELLED : StreamStatus.COMPLETE) : cancelled ? StreamStatus.CANCELLED : StreamStatus.INCOMPLETE;
  return {
    text: message.text,
    status,
    recovered: true,
    end: message.usage
      ? {
          stopReason: (message.stopReason ?? 'end_turn') as EndEvent['stopReason'],
          usage: message.usage,
          costUsd: message.costUsd ?? 0,
          latency: { firstTokenMs: null, totalMs: 0 },
        }
      : undefined,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ApiError(ErrorCode.NETWORK, message)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}
