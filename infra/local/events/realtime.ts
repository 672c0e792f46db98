import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { lowerCaseHeaders } from '../auth/authorizer.js';
import type { Authorizer } from '../auth/types.js';
import { EventsConnection } from './connection.js';
import { AUTH_SUBPROTOCOL_PREFIX, EVENTS_REALTIME_PATH, EVENTS_SUBPROTOCOL, EventsErrorType, MAX_FRAME_SIZE_IN_BYTES } from './constants.js';
import { EventsError } from './errors.js';
import type { SubscriptionHub } from './hub.js';
import type { EventsOperations } from './operations.js';
import { parseJsonWithin } from '../../../functions/shared/json-limits.js';

/**
 * Frames larger than this close the connection (1009) inside `ws` before the twin sees
 * them; frames between {@link MAX_FRAME_SIZE_IN_BYTES} and this get an error frame and
 * the connection stays open. The hard cap keeps one client from exhausting memory.
 */
export const HARD_MAX_FRAME_SIZE_IN_BYTES = 8 * MAX_FRAME_SIZE_IN_BYTES;

/** Handshake headers handlers never see in `ctx.request.headers`. */
const HANDSHAKE_ONLY_HEADERS = /^(sec-websocket-|upgrade$|connection$)/;

export interface RealtimeOptions {
  authorizer: Authorizer;
  operations: EventsOperations;
  hub: SubscriptionHub;
  keepAliveIntervalMs: number;
  maxDurationMs: number;
  log: (line: string) => void;
}

/**
 * The Events WebSocket endpoint at `/event/realtime`: picks the
 * `aws-appsync-event-ws` subprotocol whatever the offer order, reads the
 * `header-<base64url>` auth object, authorizes it against the API's auth providers,
 * and hands the socket to an {@link EventsConnection}. A refused handshake still
 * upgrades, so the client reads a `connection_error` instead of retrying a failed
 * handshake.
 *
 * @example
 * ```ts
 * const realtime = createRealtimeServer({ authorizer, operations, hub, keepAliveIntervalMs: 60_000, maxDurationMs, log });
 * component.handleUpgrade = realtime.handleUpgrade;
 * ```
 */
export function createRealtimeServer(options: RealtimeOptions) {
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: HARD_MAX_FRAME_SIZE_IN_BYTES,
    // ws would pick the first offered protocol; AppSync always answers with its own.
    handleProtocols: (protocols) => (protocols.has(EVENTS_SUBPROTOCOL) ? EVENTS_SUBPROTOCOL : false),
  });

  async function accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(EVENTS_SUBPROTOCOL)) {
      socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nOffer the ${EVENTS_SUBPROTOCOL} subprotocol.`);
      return;
    }
    const rejection = await authorizeHandshake(offered.find((p) => p.startsWith(AUTH_SUBPROTOCOL_PREFIX)), req);
    if (socket.destroyed) return;
    server.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const headers: Record<string, string | string[] | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) if (!HANDSHAKE_ONLY_HEADERS.test(name)) headers[name] = value;
      new EventsConnection({
        socket: ws,
        operations: options.operations,
        hub: options.hub,
        headers,
        sourceIp: req.socket.remoteAddress,
        rejection,
        keepAliveIntervalMs: options.keepAliveIntervalMs,
        maxDurationMs: options.maxDurationMs,
        log: options.log,
      });
    });
  }

  async function authorizeHandshake(protocol: string | undefined, req: IncomingMessage): Promise<EventsError | undefined> {
    if (!protocol) return new EventsError(401, EventsErrorType.UNAUTHORIZED, 'The handshake carries no header-<base64url> auth subprotocol.');
    let authorization: unknown;
    try {
      authorization = parseJsonWithin(Buffer.from(protocol.slice(AUTH_SUBPROTOCOL_PREFIX.length), 'base64url').toString('utf8'));
    } catch {
      authorization = undefined;
    }
    if (!authorization || typeof authorization !== 'object' || Array.isArray(authorization)) {
      return new EventsError(400, EventsErrorType.BAD_REQUEST, 'The header- subprotocol is not a base64url-encoded JSON object.');
    }
    const outcome = await options.authorizer.authorize({
      headers: lowerCaseHeaders(authorization as Record<string, unknown>),
      // Amplify signs an empty JSON object at connect.
      body: '{}',
      method: 'POST',
      path: '/event',
      allowedModes: options.operations.connectModes,
      sourceIp: req.socket.remoteAddress,
    });
    return outcome.ok ? undefined : new EventsError(outcome.status, outcome.errorType, outcome.message);
  }

  return {
    /** Claims upgrades to `/event/realtime`; the handshake finishes asynchronously. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const [path] = (req.url ?? '/').split('?');
      if (path !== EVENTS_REALTIME_PATH) return false;
      accept(req, socket, head).catch((error: Error) => {
        options.log(`[events] handshake failed: ${error.stack}`);
        socket.destroy();
      });
      return true;
    },
    /** How many connections are open. */
    get connections(): number {
      return server.clients.size;
    },
    async close(): Promise<void> {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
