/**
 * The twin's one HTTPS port. It opens before the twin's parts are set up (the functions'
 * environment needs its number, and port 0 picks one), so until `open()` every request gets
 * a prompt 503 with Retry-After instead of waiting on a handler that is not there yet; then
 * it offers each request and WebSocket upgrade to the components in order.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DevCertificate } from './certs.js';
import type { TwinComponent } from './context.js';

/** What a request to a twin that is still starting is told to wait before retrying. */
export const NOT_READY_RETRY_AFTER_IN_SECONDS = 1;

export interface TwinServer {
  port: number;
  /** e.g. https://localhost:8443 */
  url: string;
  /** From now on requests go to the components. */
  open(): void;
  /** A start that fails must not leave a port open that answers 503 forever: `step`, closing the server if it fails. */
  orClose<T>(step: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function listenTwinServer(options: {
  certificate: Pick<DevCertificate, 'key' | 'cert'>;
  port: number;
  hostname: string;
  /** Read at each request: the twin adds its components while the port answers 503. */
  components: readonly TwinComponent[];
  log: (line: string) => void;
}): Promise<TwinServer> {
  const { components, hostname, log } = options;
  let ready = false;
  const server: Server = createServer({ key: options.certificate.key, cert: options.certificate.cert });
  server.on('request', (req, res) => {
    if (!ready) return answerNotReady(res);
    void route(components, req, res, log);
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!ready) {
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${NOT_READY_RETRY_AFTER_IN_SECONDS}\r\nConnection: close\r\n\r\n`);
      return;
    }
    for (const component of components) {
      if (component.handleUpgrade?.(req, socket, head)) return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  // A TLS client that hangs up mid-handshake must not take the twin down.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, hostname === 'localhost' ? '127.0.0.1' : hostname, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return {
    port,
    url: `https://${hostname}:${port}`,
    open() {
      ready = true;
    },
    orClose: (step) =>
      step.catch(async (error: unknown) => {
        await close();
        throw error;
      }),
    close,
  };
}

function answerNotReady(res: ServerResponse): void {
  res.writeHead(503, {
    'content-type': 'application/json',
    'retry-after': String(NOT_READY_RETRY_AFTER_IN_SECONDS),
    'x-amzn-errortype': 'ServiceUnavailableException',
  });
  res.end(JSON.stringify({ message: 'The local twin is starting; retry shortly' }));
}

async function route(components: readonly TwinComponent[], req: IncomingMessage, res: ServerResponse, log: (line: string) => void) {
  try {
    for (const component of components) {
      if (component.handleRequest && (await component.handleRequest(req, res))) return;
    }
    res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException' });
    res.end(JSON.stringify({ message: `No route for ${req.method} ${req.url}` }));
  } catch (error) {
    log(`[twin] ${req.method} ${req.url} failed: ${(error as Error).stack}`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
    res.end(JSON.stringify({ message: 'Internal failure in the local twin' }));
  }
}
