import { MAX_EVENT_SIZE_IN_BYTES, MAX_EVENTS_PER_PUBLISH, OPERATION_ID_PATTERN } from './constants.js';
import { badRequest, type EventsError } from './errors.js';
import { JsonDepthError, parseJsonWithin } from '../../../functions/shared/json-limits.js';

/** One published event after validation: the JSON string as sent and its parsed value. */
export interface ValidEvent {
  index: number;
  payload: unknown;
}

/**
 * True when `id` may name a subscription or a publish.
 *
 * @example
 * ```ts
 * isOperationId('sub-1'); // true
 * ```
 */
export function isOperationId(id: unknown): id is string {
  return typeof id === 'string' && OPERATION_ID_PATTERN.test(id);
}

/**
 * Checks the `events` of a publish: an array of 1 to 5 strings, each valid JSON of at
 * most 240 KB nesting at most `MAX_JSON_NESTING_DEPTH` levels. The first violation rejects the whole publish, so nothing is half-sent.
 *
 * @example
 * ```ts
 * const events = validateEvents(['{"msg":"hi"}']);
 * if (events instanceof EventsError) reply(events);
 * ```
 */
export function validateEvents(events: unknown): ValidEvent[] | EventsError {
  if (!Array.isArray(events) || events.length === 0) return badRequest('events must be a non-empty array of JSON strings.');
  if (events.length > MAX_EVENTS_PER_PUBLISH) {
    return badRequest(`Too many events: ${events.length}; at most ${MAX_EVENTS_PER_PUBLISH} may be published at once.`);
  }
  const valid: ValidEvent[] = [];
  for (const [index, event] of events.entries()) {
    if (typeof event !== 'string') return badRequest(`Event ${index} must be a JSON-encoded string.`);
    const size = Buffer.byteLength(event, 'utf8');
    if (size > MAX_EVENT_SIZE_IN_BYTES) {
      return badRequest(`Event ${index} is ${size} bytes; an event may be at most ${MAX_EVENT_SIZE_IN_BYTES} bytes (240 KB).`);
    }
    try {
      valid.push({ index, payload: parseJsonWithin(event) });
    } catch (error) {
      return badRequest(error instanceof JsonDepthError ? `Event ${index}: ${error.message}` : `Event ${index} is not valid JSON.`);
    }
  }
  return valid;
}
