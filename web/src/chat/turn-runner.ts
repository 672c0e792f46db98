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
  const turn = new RunningTurn(options);
  void turn.run();
  return { done: turn.done, stop: () => turn.stop() };
}

/** How often a running turn checks for a stalled stream or an unfilled gap. */
const SILENCE_CHECK_INTERVAL_IN_MS = 500;

type EventsChannel = Awaited<ReturnType<typeof events.connect>>;
type Subscription = ReturnType<EventsChannel['subscribe']> & { ready?: Promise<unknown> };

/**
 * One turn's state through its phases: subscribe, admit, follow the stream (watching for
 * silence and a reconnected socket, either of which recovers from the query), finish.
 */
class RunningTurn {
  readonly done: Promise<TurnView>;
  private view: TurnView;
  private readonly assembler = new StreamAssembler();
  private channel: EventsChannel | undefined;
  private subscription: Subscription | undefined;
  private lastEventAt = Date.now();
  private sawEvent = false;
  private gapSince: number | undefined;
  private recovery: Promise<void> | undefined;
  private stopRequested = false;
  private finished = false;
  private resolveDone!: (view: TurnView) => void;
  private readonly silenceCheck: ReturnType<typeof setInterval>;
  private readonly stopWatchingConnection: () => void;

  constructor(private readonly options: TurnOptions) {
    this.view = { conversationId: options.conversationId, text: '', status: StreamStatus.WAITING, recovered: false, recovering: false };
    this.done = new Promise<TurnView>((resolve) => (this.resolveDone = resolve));
    this.silenceCheck = setInterval(() => this.recoverIfSilent(), SILENCE_CHECK_INTERVAL_IN_MS);
    this.stopWatchingConnection = this.watchConnection();
  }

  /** Subscribes, then admits the turn; a failure of either ends the turn as FAILED. */
  async run(): Promise<void> {
    try {
      await this.subscribeBeforeStart();
      const requestId = await this.admit();
      this.follow(requestId);
      if (this.stopRequested) await this.cancel(requestId);
    } catch (error) {
      const apiError = toApiError(error);
      this.finish({ status: StreamStatus.FAILED, error: { code: apiError.code, message: apiError.message } });
    }
  }

  async stop(): Promise<void> {
    if (this.finished) return;
    this.stopRequested = true;
    // The end event brings the billed figures; if it never comes, do not leave the user stuck.
    setTimeout(() => this.finish({ status: StreamStatus.CANCELLED }), STOP_GRACE_IN_MS);
    if (this.view.requestId) await this.cancel(this.view.requestId);
  }

  /** Opens the channel and waits for the subscription's acknowledgement, so no event of the turn can be missed. */
  private async subscribeBeforeStart(): Promise<void> {
    this.channel = await events.connect(chatChannel(this.options.sub, this.options.conversationId));
    const subscription = this.subscribe();
    await withTimeout(subscription.ready ?? Promise.resolve(), SUBSCRIBE_TIMEOUT_IN_MS, 'The stream subscription was not acknowledged.');
  }

  private subscribe(): Subscription {
    if (!this.channel) throw new Error('No channel');
    this.subscription = this.channel.subscribe({
      next: (message: { event?: unknown }) => this.onEvent(message?.event),
      error: () => void this.recover(),
    });
    return this.subscription;
  }

  /** startChat: the gateway admits the turn (or refuses it) and answers with its requestId. */
  private async admit(): Promise<string> {
    const { options } = this;
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
    return startChat.requestId;
  }

  /** Binds the stream to the admitted turn; events that beat the startChat response were held by the assembler until now. */
  private follow(requestId: string): void {
    this.lastEventAt = Date.now();
    this.assembler.bind(requestId);
    this.publish({ requestId });
    this.applySnapshot();
  }

  private onEvent(payload: unknown): void {
    this.lastEventAt = Date.now();
    this.sawEvent = true;
    if (this.assembler.accept(payload)) this.applySnapshot();
  }

  private applySnapshot(): void {
    const snap = this.assembler.snapshot;
    this.gapSince = snap.hasGap ? (this.gapSince ?? Date.now()) : undefined;
    const patch: Partial<TurnView> = { text: snap.text, status: snap.status };
    if (snap.end) patch.end = { stopReason: snap.end.stopReason, usage: snap.end.usage, costUsd: snap.end.costUsd, latency: snap.end.latency };
    if (snap.error) patch.error = { code: snap.error.code, message: snap.error.message };
    if (this.assembler.isFinished) this.finish(patch);
    else this.publish(patch);
  }

  /** Recovers when a gap has not filled in time, or the stream has been silent too long. */
  private recoverIfSilent(): void {
    if (this.finished || !this.view.requestId || this.recovery) return;
    const now = Date.now();
    const silentFor = now - this.lastEventAt;
    const stalled = silentFor > (this.sawEvent ? STALL_TIMEOUT_IN_MS : FIRST_EVENT_TIMEOUT_IN_MS);
    if ((this.gapSince !== undefined && now - this.gapSince > GAP_WAIT_IN_MS) || stalled) void this.recover();
  }

  /** Recovers once the socket is back after a disruption; returns the unsubscribe. */
  private watchConnection(): () => void {
    let disrupted = false;
    return Hub.listen('api', ({ payload }) => {
      if (payload.event !== CONNECTION_STATE_CHANGE) return;
      const state = (payload.data as { connectionState?: string } | undefined)?.connectionState;
      if (state === ConnectionState.ConnectionDisrupted || state === ConnectionState.ConnectionDisruptedPendingNetwork) disrupted = true;
      else if (state === ConnectionState.Connected && disrupted) {
        // Events published while the socket was down are gone: read the stored answer.
        disrupted = false;
        void this.recover();
      }
    });
  }

  /** Re-subscribes and polls the conversation for the turn's final message; one recovery at a time. */
  private recover(): Promise<void> {
    if (this.finished || !this.view.requestId) return Promise.resolve();
    this.recovery ??= this.recoverFromQuery(this.view.requestId).finally(() => (this.recovery = undefined));
    return this.recovery;
  }

  private async recoverFromQuery(requestId: string): Promise<void> {
    this.publish({ recovering: true });
    // A fresh subscription re-opens the WebSocket when the old one died.
    try {
      this.subscription?.unsubscribe();
      this.subscribe();
    } catch {
      // The query below still recovers the answer.
    }
    const deadline = Date.now() + RECOVERY_TIMEOUT_IN_MS;
    while (!this.finished && Date.now() < deadline) {
      try {
        const message = await finalAssistantMessage(this.options.conversationId, requestId);
        if (message) return this.finish(fromStoredMessage(message));
      } catch {
        // Offline still: try again on the next tick.
      }
      await sleep(RECOVERY_POLL_INTERVAL_IN_MS);
    }
    this.finish({ status: StreamStatus.INCOMPLETE, error: { code: ErrorCode.NETWORK, message: 'The answer could not be recovered.' } });
  }

  private async cancel(requestId: string): Promise<void> {
    try {
      await graphql(CANCEL_CHAT, { requestId });
    } catch (error) {
      this.publish({ error: { code: toApiError(error).code, message: `Could not stop: ${toApiError(error).advice}` } });
    }
  }

  private publish(patch: Partial<TurnView>): void {
    this.view = { ...this.view, ...patch };
    this.options.onUpdate(this.view);
  }

  /** Publishes the final view once, and lets go of the timers, the listener, the subscription and the channel. */
  private finish(patch: Partial<TurnView>): void {
    if (this.finished) return;
    this.finished = true;
    this.publish({ ...patch, recovering: false });
    clearInterval(this.silenceCheck);
    this.stopWatchingConnection();
    this.subscription?.unsubscribe();
    void this.channel?.close();
    this.resolveDone(this.view);
  }
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
