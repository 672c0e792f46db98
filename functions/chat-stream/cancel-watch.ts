/**
 * Whether a running turn was cancelled: a cancel request found in the ledger (polled), or a
 * client that went away (a hang-up is a cancel: the model stops, what was produced is billed).
 * Either aborts the model call, once.
 */
export class CancelWatch {
  /** Read once per streamed item: a plain field, so the check costs the stream nothing. */
  cancelled: boolean;
  readonly #abort: AbortController;
  readonly #clientGone: AbortSignal | undefined;
  readonly #poll: NodeJS.Timeout;
  readonly #onClientGone = () => this.#cancel();

  constructor(options: {
    /** A cancel that arrived before the claim. */
    cancelledBeforeClaim: boolean;
    /** Aborted on a cancel: the model call's signal. */
    abort: AbortController;
    isCancelRequested: () => Promise<boolean>;
    pollMs: number;
    clientGone?: AbortSignal;
  }) {
    this.cancelled = options.cancelledBeforeClaim;
    this.#abort = options.abort;
    this.#clientGone = options.clientGone;
    if (this.#clientGone?.aborted) this.#onClientGone();
    this.#clientGone?.addEventListener('abort', this.#onClientGone, { once: true });
    this.#poll = setInterval(() => {
      options.isCancelRequested().then(
        (requested) => {
          if (requested) this.#cancel();
        },
        () => undefined,
      );
    }, options.pollMs);
  }

  /** Stops watching: the answer ended. */
  stop(): void {
    clearInterval(this.#poll);
    this.#clientGone?.removeEventListener('abort', this.#onClientGone);
  }

  #cancel(): void {
    if (!this.cancelled) {
      this.cancelled = true;
      this.#abort.abort();
    }
  }
}
