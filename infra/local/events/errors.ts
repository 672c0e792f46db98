import { EventsErrorType } from './constants.js';

/** HTTP statuses the Events twin answers errors with. */
export type EventsErrorStatus = 400 | 401 | 403 | 500;

/**
 * A failure the caller caused (bad channel, too many events, refused auth, a handler's
 * `util.error`), with the AppSync error type and the HTTP status it maps to. It is a
 * value sent back on the wire, never a crash.
 *
 * @example
 * ```ts
 * return new EventsError(400, EventsErrorType.BAD_REQUEST, 'Too many events: 6; at most 5 per publish.');
 * ```
 */
export class EventsError extends Error {
  constructor(
    readonly status: EventsErrorStatus,
    readonly errorType: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EventsError';
  }

  /** The `errors[]` entry of WebSocket frames and HTTP bodies. */
  toWire(): { errorType: string; message: string } {
    return { errorType: this.errorType, message: this.message };
  }
}

/** Shorthand for a 400 `BadRequestException`. */
export function badRequest(message: string): EventsError {
  return new EventsError(400, EventsErrorType.BAD_REQUEST, message);
}
