import { describe, expect, it } from 'vitest';
import { BedrockTwinError } from '../../infra/local/bedrock/errors.js';
import { decodeFrame, encodeEvent, encodeException } from '../../infra/local/bedrock/eventstream.js';

describe('encodeEvent', () => {
  it('frames an event with the headers Bedrock sends and a padding field', () => {
    // Act
    const frame = decodeFrame(encodeEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi ' } }, 5));

    // Assess
    expect(frame.headers).toEqual({ ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' });
    expect(frame.body).toEqual({ contentBlockIndex: 0, delta: { text: 'Hi ' }, p: 'abcde' });
  });

  it.each([
    [0, 'a'],
    [100, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'],
  ])('keeps the padding length %i within one to 62 characters', (length, padding) => {
    // Act
    const frame = decodeFrame(encodeEvent('messageStart', { role: 'assistant' }, length));

    // Assess
    expect(frame.body).toEqual({ role: 'assistant', p: padding });
  });
});

describe('encodeException', () => {
  it.each([
    ['ThrottlingException', 'throttlingException'],
    ['ValidationException', 'validationException'],
    ['ServiceUnavailableException', 'serviceUnavailableException'],
    ['InternalServerException', 'internalServerException'],
  ] as const)('frames %s as an exception event of type %s', (name, eventType) => {
    // Act
    const frame = decodeFrame(encodeException(new BedrockTwinError(name, 'Try again.')));

    // Assess
    expect(frame.headers).toEqual({ ':exception-type': eventType, ':content-type': 'application/json', ':message-type': 'exception' });
    expect(frame.body).toEqual({ message: 'Try again.' });
  });

  it('adds the original status and message to a model stream error, as Bedrock does', () => {
    // Act
    const frame = decodeFrame(encodeException(new BedrockTwinError('ModelStreamErrorException', 'Broke.')));

    // Assess
    expect(frame.headers[':exception-type']).toBe('modelStreamErrorException');
    expect(frame.body).toEqual({ message: 'Broke.', originalStatusCode: 500, originalMessage: 'Broke.' });
  });
});

describe('BedrockTwinError', () => {
  it.each([
    ['ValidationException', 400],
    ['ThrottlingException', 429],
    ['ServiceUnavailableException', 503],
    ['ModelErrorException', 424],
    ['MissingAuthenticationTokenException', 403],
  ] as const)('answers %s with HTTP %i and the error type header', (name, status) => {
    // Act
    const error = new BedrockTwinError(name, 'Nope.');

    // Assess
    expect(error.status).toBe(status);
    expect(error.headers['x-amzn-errortype']).toMatch(new RegExp(`^${name}:`));
    expect(JSON.stringify(error)).toBe('{"message":"Nope."}');
  });
});
