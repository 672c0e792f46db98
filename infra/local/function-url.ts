/**
 * Lambda function URLs on the twin's HTTPS port: a request under a function's `url`
 * path prefixes (infra/gateway.ts) becomes the function URL event (payload format 2.0) and
 * a response-streaming invoke of that function in its execution environment. The handler's
 * prelude (status, headers) and body reach the client as it writes them; a client that
 * hangs up breaks the handler's response stream.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LambdaFunction } from '../gateway.js';
import type { TwinComponentFactory } from './context.js';
import { LambdaFunctionError } from './lambda.js';
import { HTTP_INTEGRATION_CONTENT_TYPE, PRELUDE_DELIMITER } from './lambda/response-stream.js';

/** Function URLs take request bodies up to 6 MB (Lambda's synchronous payload quota). */
const MAX_BODY_IN_BYTES = 6 * 1024 * 1024;

export const functionUrlComponent: TwinComponentFactory = (context) => {
  const routed = context.manifest.functions.filter((fn): fn is LambdaFunction & Required<Pick<LambdaFunction, 'url'>> => fn.url !== undefined);
  const owner = (path: string) => routed.find((fn) => fn.url.pathPrefixes.some((prefix) => path.startsWith(prefix)));
  return {
    name: 'function-url',
    async handleRequest(req, res) {
      const url = new URL(req.url ?? '/', context.url);
      const fn = owner(url.pathname);
      if (!fn) return false;
      const body = await readBody(req);
      if (body === undefined) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' }));
        return true;
      }
      await invokeUrl(fn.name, functionUrlEvent(req, url, body, context.host), res);
      return true;
    },
  };

  async function invokeUrl(functionName: string, event: unknown, res: ServerResponse): Promise<void> {
    const hungUp = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) hungUp.abort();
    });
    const writer = new PreludeSplitter(res);
    try {
      await context.lambda.invokeStreaming(functionName, event, { signal: hungUp.signal, onMessage: (message) => writer.accept(message) });
      writer.finish();
    } catch (error) {
      const status = error instanceof LambdaFunctionError && error.statusCode === 429 ? 429 : 502;
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': (error as LambdaFunctionError).errorType ?? 'InternalFailure' });
        res.end(JSON.stringify({ Message: status === 429 ? 'Rate Exceeded.' : 'Internal Server Error' }));
      } else res.destroy();
    }
  }
};

/** Splits Lambda's HTTP integration prelude (JSON, then 8 NUL bytes) off the streamed body. */
class PreludeSplitter {
  #contentType = 'application/octet-stream';
  #head: Buffer | undefined = Buffer.alloc(0);

  constructor(private readonly res: ServerResponse) {}

  accept(message: { type: 'stream-content-type'; contentType: string } | { type: 'stream-chunk'; base64: string }): void {
    if (message.type === 'stream-content-type') {
      this.#contentType = message.contentType;
      return;
    }
    const data = Buffer.from(message.base64, 'base64');
    if (this.#head === undefined) return void this.res.write(data);
    if (this.#contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
      this.#startBody(200, { 'content-type': this.#contentType }, data);
      return;
    }
    this.#head = Buffer.concat([this.#head, data]);
    const end = this.#head.indexOf(PRELUDE_DELIMITER);
    if (end < 0) return;
    const prelude = JSON.parse(this.#head.subarray(0, end).toString('utf8')) as { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
    const headers: Record<string, string | string[]> = { ...prelude.headers };
    if (prelude.cookies?.length) headers['set-cookie'] = prelude.cookies;
    this.#startBody(prelude.statusCode ?? 200, headers, this.#head.subarray(end + PRELUDE_DELIMITER.length));
  }

  finish(): void {
    if (this.#head !== undefined) this.#startBody(200, { 'content-type': this.#contentType }, Buffer.alloc(0));
    if (!this.res.writableEnded) this.res.end();
  }

  #startBody(status: number, headers: Record<string, string | string[]>, body: Buffer): void {
    this.#head = undefined;
    if (this.res.destroyed) return;
    // Each chunk leaves at once: a server-sent event must not wait in a buffer.
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
    if (body.length > 0) this.res.write(body);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_IN_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The function URL event, payload format 2.0, as Lambda builds it. */
function functionUrlEvent(req: IncomingMessage, url: URL, body: Buffer, host: string) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryStringParameters = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : undefined;
  const textual = /^(application\/(json|x-www-form-urlencoded)|text\/)/.test(req.headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'sluice-twin',
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}
