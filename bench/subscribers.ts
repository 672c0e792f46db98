/**
 * Many raw `aws-appsync-event-ws` WebSockets subscribed to one channel of the twin, as the
 * fan-out and idle-connection scenarios open them: Cognito auth of one user, connected in
 * batches so the TLS handshakes do not all land in one tick.
 */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import type { Twin } from '../infra/local/twin.js';
import type { BenchUser } from './environment.js';

/** Sockets opened at once while connecting many. */
const CONNECT_BATCH = 50;

export interface Subscribers {
  sockets: WebSocket[];
  /** Called with each `data` frame's event (a JSON string) and the socket's index. */
  onEvent(listener: (event: string, index: number) => void): void;
  close(): Promise<void>;
}

/**
 * Opens `count` sockets and subscribes each to `channel`.
 * @example
 * const subscribers = await subscribeMany(twin, user, `/chat/${user.sub}/fan-out`, 1000);
 */
export async function subscribeMany(twin: Twin, user: BenchUser, channel: string, count: number): Promise<Subscribers> {
  const authorization = { host: twin.context.host, Authorization: user.accessToken };
  const header = `header-${Buffer.from(JSON.stringify(authorization)).toString('base64url')}`;
  const url = `${twin.url.replace(/^https:/, 'wss:')}/event/realtime`;
  let listener: (event: string, index: number) => void = () => undefined;
  const sockets: WebSocket[] = [];
  const open = async (index: number): Promise<WebSocket> => {
    const socket = new WebSocket(url, ['aws-appsync-event-ws', header]);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const subscribed = new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; event?: string };
        if (frame.type === 'data') listener(frame.event ?? '', index);
        else if (frame.type === 'subscribe_success') resolve();
        else if (frame.type.endsWith('error')) reject(new Error(`subscription ${index}: ${JSON.stringify(frame).slice(0, 200)}`));
      });
    });
    socket.send(JSON.stringify({ type: 'connection_init' }));
    socket.send(JSON.stringify({ type: 'subscribe', id: randomUUID(), channel, authorization }));
    await subscribed;
    return socket;
  };
  for (let start = 0; start < count; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - start) }, (_, i) => open(start + i));
    sockets.push(...(await Promise.all(batch)));
  }
  return {
    sockets,
    onEvent: (next) => (listener = next),
    close: () => closeAll(sockets),
  };
}

/** Closes sockets and waits for every close. */
export async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close();
        }),
    ),
  );
}
