/**
 * A streaming turn's checkpoints: the text subscribers were sent, saved every few seconds once
 * the turn is recorded, so a turn whose function dies keeps it (shared/interrupted-turn.ts).
 * Only when text was added; one save at a time, in order; a failed save is dropped (the next
 * one carries the text again).
 */
export class Checkpoints {
  #savedLength = 0;
  #saving: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(options: {
    /** What was streamed so far. */
    sink: { readonly streamedText: string; readonly nextSeq: number };
    /** Resolves once the turn's request item exists: a checkpoint updates it. */
    recorded: Promise<void>;
    save: (text: string, nextSeq: number) => Promise<void>;
    intervalMs: number;
  }) {
    const { sink, recorded, save } = options;
    this.#timer = setInterval(() => {
      const text = sink.streamedText;
      if (text.length === this.#savedLength) return;
      const nextSeq = sink.nextSeq;
      this.#savedLength = text.length;
      this.#saving = this.#saving
        .then(() => recorded)
        .then(() => save(text, nextSeq))
        .catch(() => undefined);
    }, options.intervalMs);
  }

  /** Takes no more checkpoints. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** Settles once every checkpoint taken so far was written (or failed). */
  written(): Promise<void> {
    return this.#saving;
  }
}
