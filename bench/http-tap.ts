/**
 * One place where every bench recorder sees the gateway's HTTP requests (Events publishes,
 * DynamoDB calls) without touching gateway code. The functions run in execution
 * environments of their own, so the requests are watched where they arrive: a twin
 * component in front of the Events twin ({@link publishTapComponent}) and a pass-through
 * proxy in front of DynamoDB Local ({@link startDynamoDbTapProxy}). Taps come and go in
 * any order.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest } from '@smithy/protocol-http';
import type { TwinComponent, TwinComponentFactory } from '../infra/local/context.js';
import { EVENTS_HTTP_PATH } from '../infra/local/events/constants.js';

/** How a tapped request ended: its status, or none when it failed without an answer. */
export interface TappedOutcome {
  statusCode?: number;
}

/** Looks at a request as it arrives; returns what to call when it ends, or undefined to ignore it. */
export type HttpTap = (request: HttpRequest) => ((outcome: TappedOutcome) => void) | undefined;

const taps = new Set<HttpTap>();
/** The proxy's connections to DynamoDB Local, kept open as the SDK's own would be. */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 256 });

/**
 * Adds `tap`; returns the function that removes it.
 * @example
 * const remove = addHttpTap((request) => (request.path === '/event' ? () => count++ : undefined));
 */
export function addHttpTap(tap: HttpTap): () => void {
  taps.add(tap);
  return () => void taps.delete(tap);
}

function notify(req: IncomingMessage, body: string): (outcome: TappedOutcome) => void {
  const [path] = (req.url ?? '/').split('?');
  const request = new HttpRequest({ method: req.method ?? 'GET', path, headers: req.headers as Record<string, string>, body });
  const ends = [...taps].flatMap((tap) => tap(request) ?? []);
  return (outcome) => {
    for (const end of ends) end(outcome);
  };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A twin component, placed before the Events twin, that shows each HTTP publish to the
 * taps and then lets the Events twin read the very same body.
 */
export const publishTapComponent: TwinComponentFactory = (): TwinComponent => ({
  name: 'bench-publish-tap',
  async handleRequest(req, res) {
    const isPublish = req.method === 'POST' && (req.url ?? '').split('?')[0] === EVENTS_HTTP_PATH;
    if (!isPublish || taps.size === 0) return false;
    const body = await readAll(req);
    // The Events twin reads the body with `for await`; hand it what was already read.
    (req as unknown as { [Symbol.asyncIterator]: () => AsyncIterator<Buffer> })[Symbol.asyncIterator] = async function* replay() {
      yield body;
    };
    const end = notify(req, body.toString('utf8'));
    res.once('close', () => end({ statusCode: res.writableFinished ? res.statusCode : undefined }));
    return false;
  },
});

/** A pass-through proxy in front of DynamoDB Local: the twin's functions are given its endpoint. */
export interface DynamoDbTapProxy {
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynamoDbTapProxy(target: string): Promise<DynamoDbTapProxy> {
  const upstream = new URL(target);
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readAll(req);
    const end = notify(req, body.toString('utf8'));
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: keepAlive },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('end', () => end({ statusCode: answer.statusCode }));
      },
    );
    forwarded.once('error', () => {
      end({});
      res.destroy();
    });
    forwarded.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
