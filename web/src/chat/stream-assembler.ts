import type { EndEvent, ErrorEvent, StreamEvent } from '../../../schema/stream-protocol.js';

/** Where a turn's stream stands. */
export const StreamStatus = {
  WAITING: 'waiting',
  STREAMING: 'streaming',
  COMPLETE: 'complete',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
  INCOMPLETE: 'incomplete',
} as const;
export type StreamStatus = (typeof StreamStatus)[keyof typeof StreamStatus];

/** What a turn's events add up to so far. */
export interface AssembledTurn {
  requestId?: string;
  model?: string;
  /** The deltas with no gap before them, in `seq` order. */
  text: string;
  status: StreamStatus;
  end?: EndEvent;
  error?: ErrorEvent;
  /** True while a later `seq` has arrived but an earlier one has not. */
  hasGap: boolean;
}

/** Narrows an Events payload to a stream event; anything else is ignored, not trusted. */
export function isStreamEvent(value: unknown): value is StreamEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.requestId !== 'string' || typeof v.seq !== 'number' || !Number.isInteger(v.seq) || v.seq < 0) return false;
  switch (v.type) {
    case 'start':
      return true;
    case 'delta':
      return typeof v.text === 'string';
    case 'end':
      return typeof v.stopReason === 'string';
    case 'error':
      return typeof v.code === 'string';
    default:
      return false;
  }
}

/**
 * Puts one turn's stream back together as docs/stream-protocol.md says: drops duplicate
 * `seq`s, reorders, and applies events only when every earlier `seq` has arrived. Events
 * that come before the request id is known (the stream can beat the startChat response)
 * are held until bind().
 *
 * @example
 * ```ts
 * const turn = new StreamAssembler();
 * turn.accept(event);          // from the channel
 * turn.bind(started.requestId); // from startChat
 * turn.snapshot.text;
 * ```
 */
export class StreamAssembler {
  #requestId: string | undefined;
  #unbound: StreamEvent[] = [];
  #pending = new Map<number, StreamEvent>();
  #nextSeq = 0;
  #parts: string[] = [];
  #model: string | undefined;
  #end: EndEvent | undefined;
  #error: ErrorEvent | undefined;
  #started = false;

  constructor(requestId?: string) {
    this.#requestId = requestId;
  }

  /** Sets the turn's request id; held events of other turns are dropped. */
  bind(requestId: string): void {
    this.#requestId = requestId;
    const held = this.#unbound;
    this.#unbound = [];
    for (const event of held) this.accept(event);
  }

  /** Takes one Events payload; returns true when the snapshot changed. */
  accept(payload: unknown): boolean {
    if (!isStreamEvent(payload)) return false;
    if (this.#requestId === undefined) {
      this.#unbound.push(payload);
      return false;
    }
    if (payload.requestId !== this.#requestId || payload.seq < this.#nextSeq || this.#pending.has(payload.seq)) return false;
    if (this.isFinished) return false;
    this.#pending.set(payload.seq, payload);
    let changed = false;
    for (let event = this.#pending.get(this.#nextSeq); event; event = this.#pending.get(this.#nextSeq)) {
      this.#pending.delete(this.#nextSeq);
      this.#nextSeq += 1;
      this.#apply(event);
      changed = true;
    }
    return changed || this.#pending.size > 0;
  }

  /** True once the `end` or `error` event and everything before it was applied. */
  get isFinished(): boolean {
    return this.#end !== undefined || this.#error !== undefined;
  }

  get snapshot(): AssembledTurn {
    return {
      requestId: this.#requestId,
      model: this.#model,
      text: this.#parts.join(''),
      status: this.#status(),
      end: this.#end,
      error: this.#error,
      hasGap: this.#pending.size > 0,
    };
  }

  #apply(event: StreamEvent): void {
    this.#started = true;
    if (event.type === 'start') this.#model = event.model;
    else if (event.type === 'delta') this.#parts.push(event.text);
    else if (event.type === 'end') this.#end = event;
    else this.#error = event;
  }

  #status(): StreamStatus {
    if (this.#error) return StreamStatus.FAILED;
    if (this.#end) return this.#end.stopReason === 'cancelled' ? StreamStatus.CANCELLED : StreamStatus.COMPLETE;
    return this.#started || this.#pending.size > 0 ? StreamStatus.STREAMING : StreamStatus.WAITING;
  }
}
