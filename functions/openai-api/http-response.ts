/**
 * Writing a Function URL response from a streaming handler: the status and headers go
 * first (`awslambda.HttpResponseStream.from` writes them as the response's prelude), then
 * the body, as it is produced.
 */
import type { Writable } from 'node:stream';
// The `awslambda` global's types (Lambda's Node.js runtime provides the global itself).
import type {} from 'aws-lambda';
import type { OpenAiError } from './openai-errors.js';

export type ResponseStream = Writable;

export function openResponse(stream: ResponseStream, statusCode: number, headers: Record<string, string>): ResponseStream {
  return awslambda.HttpResponseStream.from(stream, { statusCode, headers });
}

/** A whole JSON response. */
export async function sendJson(stream: ResponseStream, statusCode: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const response = openResponse(stream, statusCode, { 'content-type': 'application/json', ...headers });
  await endWith(response, JSON.stringify(body));
}

export function sendError(stream: ResponseStream, error: OpenAiError, headers: Record<string, string> = {}): Promise<void> {
  return sendJson(stream, error.status, error.body, { ...headers, ...(error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {}) });
}

/** Writes the last chunk and waits until the stream has flushed it. */
export function endWith(stream: ResponseStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    stream.once('error', () => resolve());
    stream.end(text, () => resolve());
  });
}
