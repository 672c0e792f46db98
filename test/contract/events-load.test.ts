import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_BUFFERED_BYTES_PER_CONNECTION, MAX_SUBSCRIPTIONS_PER_CONNECTION, SLOW_CONSUMER_CLOSE_CODE } from '../../infra/local/events/constants.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { signedEventsPublish } from '../helpers/sigv4.js';
import { startTestTwin } from '../helpers/twin.js';

const ALICE = DEMO_USERS.find((u) => u.email === 'alice@example.com')!;
const CONNECTIONS = 1_000;
/** The bound on the test process's RSS growth while 1,000 connections are open (twin and clients). */
const MAX_RSS_GROWTH_IN_MB = 400;
/** Handshakes in flight at once while opening the 1,000. */
const OPENING_CONCURRENCY = 50;

/** A subscriber on a raw socket: counts `data` frames and remembers how it closed. */
class Subscriber {
  data = 0;
  frames: { type: string; id?: string }[] = [];
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { type: string; id?: string };
      if (frame.type === 'data') this.data++;
      else this.frames.push(frame);
    });
    socket.on('close', (code) => (this.closeCode = code));
    socket.on('error', () => undefined);
  }

  static async connect(url: string, auth: Record<string, string>): Promise<Subscriber> {
    const socket = new WebSocket(url, ['aws-appsync-event-ws', `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`]);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const subscriber = new Subscriber(socket);
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await expect.poll(() => subscriber.frames.some((f) => f.type === 'connection_ack')).toBe(true);
    return subscriber;
  }

  async subscribe(id: string, channel: string, auth: Record<string, string>): Promise<string> {
    this.socket.send(JSON.stringify({ type: 'subscribe', id, channel, authorization: auth }));
    await expect.poll(() => this.frames.find((f) => f.id === id)?.type, { timeout: 15_000 }).toBeDefined();
    return this.frames.find((f) => f.id === id)!.type;
  }
}

describe('Events connections under load', () => {
  let twin: Twin;
  let sub: string;
  let auth: Record<string, string>;
  let url: string;
  beforeAll(async () => {
    twin = await startTestTwin();
    configureAmplify(twin);
    const alice = await signInAs(ALICE);
    sub = alice.sub;
    auth = { host: twin.context.host, Authorization: alice.accessToken };
    url = `${twin.url.replace('https:', 'wss:')}/event/realtime`;
  });
  afterAll(async () => twin?.close());

  it('serves 1,000 concurrent connections: each subscribes and receives the event published to them', { timeout: 120_000 }, async () => {
    // Prepare
    const rssBefore = process.memoryUsage().rss;
    const subscribers: Subscriber[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: OPENING_CONCURRENCY }, async () => {
        while (next < CONNECTIONS) {
          next++;
          const subscriber = await Subscriber.connect(url, auth);
          expect(await subscriber.subscribe('s1', `/chat/${sub}/crowd`, auth)).toBe('subscribe_success');
          subscribers.push(subscriber);
        }
      }),
    );

    // Act
    const published = await signedEventsPublish(twin, `/chat/${sub}/crowd`, [{ type: 'delta', text: 'to everyone' }]);

    // Assess
    expect(published.status).toBe(200);
    await expect.poll(() => subscribers.filter((s) => s.data === 1).length, { timeout: 30_000 }).toBe(CONNECTIONS);
    expect(subscribers.every((s) => s.closeCode === undefined)).toBe(true);
    // Memory stays bounded: the twin and the 1,000 clients share this process, and together
    // grow by well under 1 MB a connection (docs/reliability.md has a measured figure).
    const rssGrowthInMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    console.info(`RSS growth with ${CONNECTIONS} subscribed connections: ${rssGrowthInMb.toFixed(0)} MB`);
    expect(rssGrowthInMb).toBeLessThan(MAX_RSS_GROWTH_IN_MB);
    for (const subscriber of subscribers) subscriber.socket.terminate();
  });

  it('drops a subscriber that stops reading once its buffer passes the cap; the others on its channel get every event', { timeout: 90_000 }, async () => {
    // Prepare
    const channel = `/chat/${sub}/slow`;
    const stalled = await Subscriber.connect(url, auth);
    const reader = await Subscriber.connect(url, auth);
    await stalled.subscribe('s1', channel, auth);
    await reader.subscribe('s1', channel, auth);
    // The stalled client stops reading its socket: what the twin sends piles up.
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const event = { type: 'delta', text: 'x'.repeat(200_000) };
    const publishes = Math.ceil((3 * MAX_BUFFERED_BYTES_PER_CONNECTION) / (5 * 200_000));

    // Act
    for (let i = 0; i < publishes; i++) {
      expect((await signedEventsPublish(twin, channel, [event, event, event, event, event])).status).toBe(200);
    }
    await expect.poll(() => reader.data, { timeout: 30_000 }).toBe(publishes * 5);
    (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();

    // Assess
    await expect.poll(() => stalled.closeCode, { timeout: 15_000 }).toBeDefined();
    expect([SLOW_CONSUMER_CLOSE_CODE, 1006]).toContain(stalled.closeCode);
    expect(stalled.data).toBeLessThan(publishes * 5);
    expect(reader.closeCode).toBeUndefined();
    reader.socket.terminate();
  });

  it(`refuses subscription ${MAX_SUBSCRIPTIONS_PER_CONNECTION + 1} on one connection and keeps the rest`, { timeout: 60_000 }, async () => {
    // Prepare
    const client = await Subscriber.connect(url, auth);
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_CONNECTION; i++) {
      client.socket.send(JSON.stringify({ type: 'subscribe', id: `s${i}`, channel: `/chat/${sub}/c${i}`, authorization: auth }));
    }
    await expect.poll(() => client.frames.filter((f) => f.type === 'subscribe_success').length, { timeout: 30_000 }).toBe(MAX_SUBSCRIPTIONS_PER_CONNECTION);

    // Act
    const outcome = await client.subscribe('one-too-many', `/chat/${sub}/extra`, auth);

    // Assess
    expect(outcome).toBe('subscribe_error');
    const published = await signedEventsPublish(twin, `/chat/${sub}/c0`, [{ type: 'delta', text: 'still here' }]);
    expect(published.status).toBe(200);
    await expect.poll(() => client.data).toBe(1);
    client.socket.terminate();
  });
});
