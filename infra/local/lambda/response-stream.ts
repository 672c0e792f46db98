/**
 * Lambda's response streaming inside a twin execution environment: the `awslambda` global
 * the Node.js runtime gives a function (`streamifyResponse`, `HttpResponseStream.from`),
 * so a streaming function's one bundle runs on both hosts. As on Lambda, `from` marks the
 * stream as an HTTP integration response and writes the prelude (status and headers as
 * JSON) followed by 8 NUL bytes; the twin's function URL (../function-url.ts) splits them off.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html
 */
import { Writable } from 'node:stream';

/** Content type that says a prelude precedes the body (what Lambda's runtime sets). */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** Separates the prelude from the body. */
export const PRELUDE_DELIMITER = Buffer.alloc(8);

const STREAMING = Symbol.for('sluice.twin.streamingHandler');

export interface StreamSender {
  contentType(type: string): void;
  chunk(data: Buffer): void;
}

/** The response stream one invocation writes to; its bytes cross to the twin as they are written. */
export class IpcResponseStream extends Writable {
  constructor(private readonly sender: StreamSender) {
    super();
  }

  setContentType(type: string): void {
    this.sender.contentType(type);
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sender.chunk(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    callback();
  }
}

type StreamingHandler = (event: unknown, stream: IpcResponseStream, context: unknown) => unknown;

/** True for a handler wrapped in `awslambda.streamifyResponse`. */
export function isStreamingHandler(handler: unknown): handler is StreamingHandler {
  return typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[STREAMING] === true;
}

/** Installs the `awslambda` global before the function's bundle loads. */
export function installAwsLambdaGlobal(): void {
  const awslambda = {
    streamifyResponse(handler: StreamingHandler) {
      Object.defineProperty(handler, STREAMING, { value: true });
      return handler;
    },
    HttpResponseStream: {
      from(stream: IpcResponseStream, prelude: Record<string, unknown>) {
        stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
        stream.write(JSON.stringify(prelude));
        stream.write(PRELUDE_DELIMITER);
        return stream;
      },
    },
  };
  (globalThis as Record<string, unknown>).awslambda = awslambda;
}
