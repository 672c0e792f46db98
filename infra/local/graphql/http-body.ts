import type { IncomingMessage } from 'node:http';

/** The body was larger than the limit; the caller answers 413. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitInBytes: number) {
    super(`Request body is larger than ${limitInBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads a request body as UTF-8, stopping as soon as it passes `limitInBytes` so a huge
 * upload cannot fill the twin's memory (the rest of the upload is discarded).
 *
 * @example
 * ```ts
 * const text = await readBody(req, MAX_REQUEST_BODY_IN_BYTES);
 * ```
 */
export function readBody(req: IncomingMessage, limitInBytes: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > limitInBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    // Keep draining after the limit (discarding) rather than destroying the stream:
    // destroying it would close the socket before the 413 answer goes out.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitInBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLargeError(limitInBytes)) : resolveBody(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}
