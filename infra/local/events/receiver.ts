import { JsonDepthError, parseJsonWithin } from '../../../functions/shared/json-limits.js';
import { ClientMessageType, EventsErrorType } from './constants.js';
import { badRequest, EventsError } from './errors.js';
import { isOperationId } from './validation.js';

/** A client frame after parsing; unknown extra fields (Amplify's `payload`) are dropped. */
export type ClientMessage =
  | { type: typeof ClientMessageType.CONNECTION_INIT }
  | { type: typeof ClientMessageType.SUBSCRIBE; id: string; channel: unknown; authorization: Record<string, unknown> | undefined }
  | { type: typeof ClientMessageType.UNSUBSCRIBE; id: string }
  | { type: typeof ClientMessageType.PUBLISH; id: string; channel: unknown; events: unknown; authorization: Record<string, unknown> | undefined };

/** A frame that could not be parsed: the error to send, and the frame's id if it had a usable one. */
export interface FrameError {
  error: EventsError;
  id?: string;
  /** The frame type, when known, so the reply can be `subscribe_error` rather than `error`. */
  type?: ClientMessageType;
}

/** Longest id echoed back in an error frame; longer ones are not the client's real ids anyway. */
const MAX_ECHOED_ID_LENGTH = 128;

/**
 * Parses one text frame from a client. Bad input becomes a {@link FrameError} value;
 * this function never throws. Channel, events and auth are checked later, where the
 * namespaces and the authorizer are known.
 *
 * @example
 * ```ts
 * const parsed = parseClientFrame('{"type":"subscribe","id":"s1","channel":"/chat/x"}');
 * if ('error' in parsed) send(errorFrame(parsed));
 * ```
 */
export function parseClientFrame(text: string): ClientMessage | FrameError {
  let frame: unknown;
  try {
    frame = parseJsonWithin(text);
  } catch (error) {
    return { error: badRequest(error instanceof JsonDepthError ? `Frame ${error.message}` : 'Frame is not valid JSON.') };
  }
  if (!frame || typeof frame !== 'object' || Array.isArray(frame)) return { error: badRequest('Frame must be a JSON object.') };
  const record = frame as Record<string, unknown>;
  const rawId = typeof record.id === 'string' && record.id.length <= MAX_ECHOED_ID_LENGTH ? record.id : undefined;
  const type = record.type;
  const authorization = record.authorization && typeof record.authorization === 'object' ? (record.authorization as Record<string, unknown>) : undefined;

  switch (type) {
    case ClientMessageType.CONNECTION_INIT:
      return { type };
    case ClientMessageType.SUBSCRIBE:
    case ClientMessageType.UNSUBSCRIBE:
    case ClientMessageType.PUBLISH: {
      if (!isOperationId(record.id)) {
        return { error: badRequest('id must match /^[a-zA-Z0-9-_+]{1,128}$/.'), id: rawId, type };
      }
      if (type === ClientMessageType.UNSUBSCRIBE) return { type, id: record.id };
      if (type === ClientMessageType.SUBSCRIBE) return { type, id: record.id, channel: record.channel, authorization };
      return { type, id: record.id, channel: record.channel, events: record.events, authorization };
    }
    default:
      return {
        error: new EventsError(
          400,
          EventsErrorType.UNSUPPORTED_OPERATION,
          `Operation ${typeof type === 'string' ? type.slice(0, 64) : '(none)'} not supported through the realtime channel`,
        ),
        id: rawId,
      };
  }
}
