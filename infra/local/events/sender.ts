import { stringifyJsonWithin } from '../../../functions/shared/json-limits.js';
import { CONNECTION_TIMEOUT_IN_MS, EventsErrorType } from './constants.js';
import type { EventsError } from './errors.js';

/** `successful[]` entry of a publish result. */
export interface PublishedEvent {
  identifier: string;
  index: number;
}

/** `failed[]` entry of a publish result (the Amplify Android fixture's shape). */
export interface FailedEvent {
  identifier: string;
  index: number;
  code: number;
  message: string;
}

/** What a publish answers, over HTTP as the body and over WebSocket in `publish_success`. */
export interface PublishResult {
  successful: PublishedEvent[];
  failed: FailedEvent[];
}

type Frame = Record<string, unknown> & { type: string };

/** Serialises server frames; every frame the twin sends is built here. */
export const frames = {
  connectionAck: (): Frame => ({ type: 'connection_ack', connectionTimeoutMs: CONNECTION_TIMEOUT_IN_MS }),
  keepAlive: (): Frame => ({ type: 'ka' }),
  connectionError: (error: EventsError): Frame => ({
    type: 'connection_error',
    // errorCode makes Amplify treat 400/401/403 as final instead of reconnecting.
    errors: [{ ...error.toWire(), errorCode: error.status }],
  }),
  subscribeSuccess: (id: string): Frame => ({ type: 'subscribe_success', id }),
  subscribeError: (id: string, error: EventsError): Frame => ({ type: 'subscribe_error', id, errors: [error.toWire()] }),
  unsubscribeSuccess: (id: string): Frame => ({ type: 'unsubscribe_success', id }),
  unsubscribeError: (id: string): Frame => ({
    type: 'unsubscribe_error',
    id,
    errors: [{ errorType: EventsErrorType.UNKNOWN_OPERATION, message: `Unknown operation id ${id}` }],
  }),
  publishSuccess: (id: string, result: PublishResult): Frame => ({ type: 'publish_success', id, ...result }),
  publishError: (id: string, error: EventsError): Frame => ({ type: 'publish_error', id, errors: [error.toWire()] }),
  /** One event to one subscription; `event` is the payload as a JSON string ({@link encodeEvent}). */
  data: (subscriptionId: string, event: string): Frame => ({ type: 'data', id: subscriptionId, event }),
  /** A frame that could not be understood (malformed JSON, unknown type). */
  error: (error: EventsError, id?: string): Frame => ({ type: 'error', ...(id === undefined ? {} : { id }), errors: [error.toWire()] }),
};

/**
 * Serialises a frame for the socket.
 *
 * @example
 * ```ts
 * socket.send(encodeFrame(frames.keepAlive()));
 * ```
 */
export function encodeFrame(frame: Frame): string {
  return stringifyJsonWithin(frame);
}

/**
 * Serialises one event's payload for `data` frames, once for all its subscribers. A
 * payload nesting deeper than `MAX_JSON_NESTING_DEPTH` throws a JsonDepthError (a value
 * to report), never a stack overflow in the middle of a broadcast.
 *
 * @example
 * ```ts
 * const event = encodeEvent({ type: 'delta', text: 'hi' });
 * ```
 */
export function encodeEvent(payload: unknown): string {
  return stringifyJsonWithin(payload);
}
