import { MAX_EVENTS_PER_PUBLISH, PublishError, type EventsPublisher } from './events-publisher.js';
import { fitsAnotherAttempt } from './deadline.js';
import type { EndEvent, ErrorEvent, StartEvent, StreamEvent } from '../../schema/stream-protocol.js';

/**
 * Later deltas wait at most this long before they are published. Events bills per
 * publish: at Bedrock's typical 80 tokens/s this sends ~80 tokens a publish (≤ 25
 * publishes per 1,000 tokens, docs/benchmarks.md), while the first token still goes
 * out at once. `SLUICE_FLUSH_INTERVAL_MS` overrides it.
 */
export const DEFAULT_FLUSH_INTERVAL_IN_MS = 1_000;
/** A buffer this large is published at once rather than on the timer. */
export const DEFAULT_FLUSH_THRESHOLD_IN_CHARS = 4_000;
/** Keeps each delta event far below the 240 KB event limit. */
export const MAX_DELTA_TEXT_IN_CHARS = 32_000;

export interface TurnStreamOptions {
  publisher: Pick<EventsPublisher, 'publish'>;
  channel: string;
  requestId: string;
  flushIntervalMs?: number;
  flushThresholdChars?: number;
  /** Attempts per publish, the first included. @default 5 */
  publishAttempts?: number;
  /** @default 100 (doubled each retry) */
  retryBaseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The publishing side of one chat turn. It numbers events (0, 1, 2… with no gaps),
 * sends the first delta at once for time to first token, batches later ones on a timer
 * or a size threshold, publishes strictly in order, and retries a failed publish with
 * the same sequence numbers, so subscribers see no gap and can drop duplicates.
 * `start` travels in the first publish and `end`/`error` in the last, beside deltas
 * (a publish carries up to five events), so a turn costs no publish of its own.
 */
export class TurnStream {
  readonly #options: Required<Omit<TurnStreamOptions, 'publisher' | 'channel' | 'requestId'>> & TurnStreamOptions;
  #seq = 0;
  #buffer = '';
  #sentFirstDelta = false;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #failure: PublishError | undefined;
  #streamedText = '';
  /** `start`, held until the first publish (with the first delta, or the final event). */
  #pendingStart: StartEvent | undefined;
  #publishes = 0;

  constructor(options: TurnStreamOptions) {
    this.#options = {
      flushIntervalMs: Number(process.env.SLUICE_FLUSH_INTERVAL_MS) || DEFAULT_FLUSH_INTERVAL_IN_MS,
      flushThresholdChars: DEFAULT_FLUSH_THRESHOLD_IN_CHARS,
      publishAttempts: 5,
      retryBaseDelayMs: 100,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...options,
    };
  }

  /** Text of every delta handed to the publisher so far: what subscribers see. */
  get streamedText(): string {
    return this.#streamedText;
  }

  /** The sequence number the next event will carry. */
  get nextSeq(): number {
    return this.#seq;
  }

  /** Publish calls made (retries excluded): the Events cost figure. */
  get publishCount(): number {
    return this.#publishes;
  }

  /** The publish failure that ended the stream, if any. */
  get failure(): PublishError | undefined {
    return this.#failure;
  }

  /** Numbers `start` (seq 0); it is published with the first delta or the final event. */
  start(conversationId: string, model: string): void {
    this.#pendingStart = { type: 'start', requestId: this.#options.requestId, conversationId, model, seq: 0 };
    this.#seq = 1;
  }

  delta(text: string): void {
    if (!text) return;
    this.#buffer += text;
    if (!this.#sentFirstDelta || this.#buffer.length >= this.#options.flushThresholdChars) {
      this.#sentFirstDelta = true;
      void this.flush();
    } else {
      this.#timer ??= setTimeout(() => void this.flush(), this.#options.flushIntervalMs);
    }
  }

  /** Publishes whatever deltas are buffered. */
  flush(): Promise<void> {
    return this.#flush([]);
  }

  #flush(finals: (EndEvent | ErrorEvent)[]): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const events: StreamEvent[] = this.#pendingStart ? [this.#pendingStart] : [];
    this.#pendingStart = undefined;
    for (let i = 0; i < this.#buffer.length; i += MAX_DELTA_TEXT_IN_CHARS) {
      events.push({ type: 'delta', requestId: this.#options.requestId, seq: this.#seq++, text: this.#buffer.slice(i, i + MAX_DELTA_TEXT_IN_CHARS) });
    }
    this.#streamedText += this.#buffer;
    this.#buffer = '';
    for (const final of finals) events.push({ ...final, seq: this.#seq++ });
    if (events.length === 0) return this.#chain;
    return this.#enqueue(events);
  }

  end(event: Omit<EndEvent, 'type' | 'seq' | 'requestId'>): Promise<void> {
    return this.#finish({ type: 'end', requestId: this.#options.requestId, seq: 0, ...event });
  }

  error(event: Omit<ErrorEvent, 'type' | 'seq' | 'requestId'>): Promise<void> {
    return this.#finish({ type: 'error', requestId: this.#options.requestId, seq: 0, ...event });
  }

  #finish(final: EndEvent | ErrorEvent): Promise<void> {
    return this.#flush([final]);
  }

  #enqueue(events: StreamEvent[]): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      // After a publish failed for good, later events would leave a gap: stop publishing.
      if (this.#failure) return;
      for (let i = 0; i < events.length; i += MAX_EVENTS_PER_PUBLISH) {
        await this.#publishWithRetry(events.slice(i, i + MAX_EVENTS_PER_PUBLISH));
        if (this.#failure) return;
      }
    });
    return this.#chain;
  }

  async #publishWithRetry(events: StreamEvent[]): Promise<void> {
    this.#publishes++;
    const { publishAttempts, retryBaseDelayMs, sleep } = this.#options;
    for (let attempt = 1; ; attempt++) {
      const attemptStartedAt = Date.now();
      try {
        await this.#options.publisher.publish(this.#options.channel, events);
        return;
      } catch (error) {
        const failure = error instanceof PublishError ? error : new PublishError((error as Error).message, undefined, true, { cause: error });
        const delay = retryBaseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
        // A retry the invocation cannot fit (./deadline.ts) would leave no time to store and settle the turn.
        if (!failure.retryable || attempt >= publishAttempts || !fitsAnotherAttempt(delay, Date.now() - attemptStartedAt)) {
          this.#failure = failure;
          return;
        }
        await sleep(delay);
      }
    }
  }
}
