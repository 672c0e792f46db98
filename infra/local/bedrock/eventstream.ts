import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { BedrockTwinError } from './errors.js';

/** The ConverseStream events the twin sends, by `:event-type`. */
export const STREAM_EVENT = {
  MESSAGE_START: 'messageStart',
  CONTENT_BLOCK_DELTA: 'contentBlockDelta',
  CONTENT_BLOCK_STOP: 'contentBlockStop',
  MESSAGE_STOP: 'messageStop',
  METADATA: 'metadata',
} as const;
export type StreamEventType = (typeof STREAM_EVENT)[keyof typeof STREAM_EVENT];

/** Content type of a ConverseStream response body. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

// Bedrock pads every event with a prefix of this alphabet so frame sizes do not reveal token lengths.
const PADDING_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * Frames one ConverseStream event. `paddingLength` (1–62) sets the `p` field as Bedrock does.
 * @example
 * stream.write(encodeEvent('messageStart', { role: 'assistant' }, 12));
 */
export function encodeEvent(type: StreamEventType, payload: Record<string, unknown>, paddingLength: number): Uint8Array {
  const p = PADDING_ALPHABET.slice(0, Math.max(1, Math.min(PADDING_ALPHABET.length, paddingLength)));
  return encode({ ':event-type': text(type), ':content-type': text('application/json'), ':message-type': text('event') }, { ...payload, p });
}

/**
 * Frames an error as a stream exception event (`:message-type: exception`), which the SDK
 * throws as its typed error from the stream iterator.
 * @example
 * stream.end(encodeException(new BedrockTwinError('ThrottlingException', 'Too many requests')));
 */
export function encodeException(error: BedrockTwinError): Uint8Array {
  const headers = { ':exception-type': text(error.eventType), ':content-type': text('application/json'), ':message-type': text('exception') };
  const body = error.name === 'ModelStreamErrorException' ? { ...error.toJSON(), originalStatusCode: 500, originalMessage: error.message } : error.toJSON();
  return encode(headers, body);
}

/**
 * Decodes one frame (tests use it to read the wire).
 * @example
 * decodeFrame(encodeEvent('messageStart', { role: 'assistant' }, 1)).headers[':event-type']; // 'messageStart'
 */
export function decodeFrame(frame: Uint8Array): { headers: Record<string, string>; body: unknown } {
  const message = codec.decode(frame);
  const headers = Object.fromEntries(Object.entries(message.headers).map(([name, header]) => [name, String(header.value)]));
  return { headers, body: JSON.parse(toUtf8(message.body)) as unknown };
}

function encode(headers: MessageHeaders, body: unknown): Uint8Array {
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(body)) });
}

function text(value: string): { type: 'string'; value: string } {
  return { type: 'string', value };
}
