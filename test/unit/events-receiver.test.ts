import { describe, expect, it } from 'vitest';
import { EventsError } from '../../infra/local/events/errors.js';
import { parseClientFrame } from '../../infra/local/events/receiver.js';
import { encodeEvent, encodeFrame, frames } from '../../infra/local/events/sender.js';

describe('parseClientFrame', () => {
  it('parses an Amplify subscribe frame and drops its extra payload field', () => {
    // Prepare: as @aws-amplify/api-graphql 4.x sends it.
    const text = JSON.stringify({
      id: 'a1b2',
      channel: 'rooms/lobby',
      authorization: { Authorization: 'eyJ', host: 'localhost:8443', 'x-amz-user-agent': 'aws-amplify/6' },
      payload: { channel: 'rooms/lobby', extensions: { authorization: {} } },
      type: 'subscribe',
    });
    // Act
    const message = parseClientFrame(text);
    // Assess
    expect(message).toEqual({
      type: 'subscribe',
      id: 'a1b2',
      channel: 'rooms/lobby',
      authorization: { Authorization: 'eyJ', host: 'localhost:8443', 'x-amz-user-agent': 'aws-amplify/6' },
    });
  });

  it.each([
    ['{"type":"connection_init"', undefined, 'BadRequestException'],
    ['null', undefined, 'BadRequestException'],
    ['"subscribe"', undefined, 'BadRequestException'],
    ['{"type":"start","id":"g1"}', 'g1', 'UnsupportedOperation'],
    ['{"type":"publish","id":"has space","channel":"/a"}', 'has space', 'BadRequestException'],
    ['{"type":"unsubscribe"}', undefined, 'BadRequestException'],
    [`{"type":"subscribe","id":"${'x'.repeat(200)}"}`, undefined, 'BadRequestException'],
  ])('turns %s into an error value, never a throw', (text, id, errorType) => {
    const parsed = parseClientFrame(text);
    expect('error' in parsed).toBe(true);
    const { error, id: echoed } = parsed as { error: EventsError; id?: string };
    expect(error).toBeInstanceOf(EventsError);
    expect(error.errorType).toBe(errorType);
    expect(echoed).toBe(id);
  });
});

describe('frames', () => {
  it('encodes data events as JSON strings and connection errors with an errorCode', () => {
    expect(encodeFrame(frames.data('s1', encodeEvent({ msg: 'hi' })))).toBe('{"type":"data","id":"s1","event":"{\\"msg\\":\\"hi\\"}"}');
    expect(frames.connectionError(new EventsError(401, 'UnauthorizedException', 'nope'))).toEqual({
      type: 'connection_error',
      errors: [{ errorType: 'UnauthorizedException', message: 'nope', errorCode: 401 }],
    });
    expect(frames.connectionAck()).toEqual({ type: 'connection_ack', connectionTimeoutMs: 300000 });
  });
});
