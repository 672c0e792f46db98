/**
 * The fan-out scenario: one channel, many subscribers over raw WebSockets. The twin's
 * Events API receives SigV4-signed HTTP publishes (as the streaming Lambda sends them) and
 * fans each event out to every subscriber. A plain `ws` broadcast server in the same
 * process, fed the same frames, is the baseline. Each event carries its publish time, so
 * every delivery is timed on one clock.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { EventsPublisher, MAX_EVENTS_PER_PUBLISH } from '../functions/shared/events-publisher.js';
import { LOCAL_REGION } from '../infra/local/dynamodb.js';
import { LOCAL_IAM } from '../infra/local/twin.js';
import type { BenchEnvironment } from './environment.js';
import { distribution, ratio, round1, type Distribution } from './stats.js';
import { closeAll, subscribeMany } from './subscribers.js';

/** One path's figures. */
export interface FanOutPath {
  subscribers: number;
  events: number;
  /** Deliveries seen: events × subscribers when nothing was lost. */
  deliveries: number;
  /** Publish (or broadcast) call → a subscriber's socket receiving it, ms. */
  deliveryMs: Distribution;
  /** Deliveries per second, from the first publish to the last delivery. */
  eventsPerSecond: number;
}

export interface FanOutResult {
  gateway: FanOutPath;
  raw: FanOutPath;
  /** gateway ÷ raw events per second (target ≥ 0.5). */
  throughputRatio: number | null;
}

export interface FanOutOptions {
  subscribers: number;
  /** Publishes of {@link MAX_EVENTS_PER_PUBLISH} events each. */
  publishes: number;
}

/** A small delta-sized payload. */
const PAYLOAD_TEXT = 'x'.repeat(200);

function eventPayload(seq: number): string {
  return JSON.stringify({ type: 'delta', requestId: 'fan-out', seq, text: PAYLOAD_TEXT, sentAt: performance.now() });
}

/**
 * Runs both paths, gateway first.
 * @example
 * const result = await runFanOut(environment, { subscribers: 1000, publishes: 20 });
 */
export async function runFanOut(environment: BenchEnvironment, options: FanOutOptions): Promise<FanOutResult> {
  const gateway = await gatewayFanOut(environment, options);
  const raw = await rawFanOut(options);
  return { gateway, raw, throughputRatio: ratio(gateway.eventsPerSecond, raw.eventsPerSecond) };
}

async function gatewayFanOut(environment: BenchEnvironment, options: FanOutOptions): Promise<FanOutPath> {
  const user = environment.users[0];
  const subscribers = await subscribeMany(environment.twin, user, `/chat/${user.sub}/bench-fan-out`, options.subscribers);
  const publisher = new EventsPublisher({ url: `${environment.twin.url}/event`, region: LOCAL_REGION, credentials: async () => LOCAL_IAM });
  try {
    return await measure(options, subscribers.onEvent, async (events) => {
      await publisher.publish(`/chat/${user.sub}/bench-fan-out`, events.map((event) => JSON.parse(event) as unknown));
    });
  } finally {
    await subscribers.close();
  }
}

async function rawFanOut(options: FanOutOptions): Promise<FanOutPath> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const sockets: WebSocket[] = [];
  let listener: (event: string, index: number) => void = () => undefined;
  for (let start = 0; start < options.subscribers; start += 50) {
    const batch = Array.from({ length: Math.min(50, options.subscribers - start) }, async (_, i) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`);
      const index = start + i;
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { event: string };
        listener(frame.event, index);
      });
      await once(socket, 'open');
      return socket;
    });
    sockets.push(...(await Promise.all(batch)));
  }
  try {
    // The same `data` frames the Events API sends, one per event, to every client.
    return await measure(options, (next) => (listener = next), async (events) => {
      for (const event of events) {
        const frame = JSON.stringify({ type: 'data', id: 'raw', event });
        for (const client of server.clients) client.send(frame);
      }
    });
  } finally {
    await closeAll(sockets);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Publishes one batch at a time (as one turn does) and times every delivery. */
async function measure(
  options: FanOutOptions,
  onEvent: (listener: (event: string, index: number) => void) => void,
  publish: (events: string[]) => Promise<void>,
): Promise<FanOutPath> {
  const expected = options.publishes * MAX_EVENTS_PER_PUBLISH * options.subscribers;
  const latencies: number[] = [];
  let lastAt = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  onEvent((event) => {
    const now = performance.now();
    const sentAt = (JSON.parse(event) as { sentAt: number }).sentAt;
    latencies.push(now - sentAt);
    lastAt = now;
    if (latencies.length >= expected) done();
  });
  const startedAt = performance.now();
  let seq = 0;
  for (let p = 0; p < options.publishes; p++) {
    await publish(Array.from({ length: MAX_EVENTS_PER_PUBLISH }, () => eventPayload(seq++)));
  }
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  const elapsedSeconds = Math.max(1e-3, (lastAt - startedAt) / 1000);
  return {
    subscribers: options.subscribers,
    events: seq,
    deliveries: latencies.length,
    deliveryMs: distribution(latencies),
    eventsPerSecond: round1(latencies.length / elapsedSeconds),
  };
}
