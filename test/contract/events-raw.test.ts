import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AuthMode, gateway, type GatewayManifest } from '../../infra/gateway.js';
import { eventsComponentWith } from '../../infra/local/events/component.js';
import { MAX_EVENT_SIZE_IN_BYTES, MAX_FRAME_SIZE_IN_BYTES } from '../../infra/local/events/constants.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { signedEventsHeaders, signedEventsPublish } from '../helpers/sigv4.js';
import { startTestTwin } from '../helpers/twin.js';

type Frame = { type: string; id?: string; event?: string; errors?: { errorType: string; message: string; errorCode?: number }[] } & Record<string, unknown>;

const KEEP_ALIVE_INTERVAL_IN_MS = 150;

/** The default manifest plus a namespace without handlers, where any signed-in user publishes and subscribes. */
const manifest: GatewayManifest = {
  ...gateway,
  events: {
    ...gateway.events,
    namespaces: [...gateway.events.namespaces, { name: 'raw', publishAuthModes: [AuthMode.COGNITO], subscribeAuthModes: [AuthMode.COGNITO] }],
  },
};

/** A bare Events WebSocket client that records every frame the twin sends. */
class RawClient {
  readonly inbox: Frame[] = [];
  #waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async open(twin: Twin, auth: Record<string, string>, protocols?: string[]): Promise<RawClient> {
    const header = `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`;
    const socket = new WebSocket(`${twin.url.replace('https:', 'wss:')}/event/realtime`, protocols ?? ['aws-appsync-event-ws', header]);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  static async connect(twin: Twin, auth: Record<string, string>): Promise<RawClient> {
    const client = await RawClient.open(twin, auth);
    client.send({ type: 'connection_init' });
    await client.next((f) => f.type === 'connection_ack');
    return client;
  }

  send(frame: object | string): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Removes and returns the first frame (buffered or coming) that matches. */
  async next(match: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex(match);
      if (index >= 0) return this.inbox.splice(index, 1)[0];
      if (this.closed || Date.now() > deadline) throw new Error(`No matching frame; inbox: ${JSON.stringify(this.inbox).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1);
      });
    }
  }

  /** Waits for a frame and returns (and removes) the data frames received before it. */
  async dataBefore(match: (frame: Frame) => boolean): Promise<Frame[]> {
    const marker = await this.next(match);
    const before = this.inbox.filter((f) => f.type === 'data');
    this.inbox.splice(0, this.inbox.length, ...this.inbox.filter((f) => f.type !== 'data'));
    return [...before, marker].filter((f) => f !== marker);
  }

  close(): void {
    this.socket.close();
  }
}

describe('Events WebSocket protocol (raw)', () => {
  let twin: Twin;
  /** A signed-in user's access token, as Amplify sends it in the handshake and each frame. */
  let userAuth: Record<string, string>;
  let bystander: RawClient;
  let client: RawClient;
  let serial = 0;

  const subscribe = async (target: RawClient, id: string, channel: string, authorization = userAuth) => {
    target.send({ type: 'subscribe', id, channel, authorization });
    return target.next((f) => f.id === id && f.type.startsWith('subscribe_'));
  };
  const publish = async (target: RawClient, channel: string, events: unknown[], authorization = userAuth) => {
    const id = `pub-${++serial}`;
    target.send({ type: 'publish', id, channel, events: events.map((e) => JSON.stringify(e)), authorization });
    return target.next((f) => f.id === id && f.type.startsWith('publish_'));
  };
  const httpPublish = (channel: string, events: unknown[]) =>
    fetch(`${twin.url}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: userAuth.Authorization! },
      body: JSON.stringify({ channel, events: events.map((e) => JSON.stringify(e)) }),
    });

  beforeAll(async () => {
    twin = await startTestTwin({ manifest, components: [eventsComponentWith({ keepAliveIntervalMs: KEEP_ALIVE_INTERVAL_IN_MS })] });
    configureAmplify(twin);
    userAuth = { host: twin.context.host, Authorization: (await signInAs(DEMO_USERS[0])).accessToken };
    bystander = await RawClient.connect(twin, userAuth);
    expect(await subscribe(bystander, 'bystander', '/raw/bystander')).toEqual({ type: 'subscribe_success', id: 'bystander' });
  });

  afterAll(async () => {
    bystander?.close();
    await twin?.close();
  });

  beforeEach(async () => {
    client = await RawClient.connect(twin, userAuth);
  });

  afterEach(async () => {
    client?.close();
    // Whatever the test did, the other clients are still served.
    const response = await httpPublish('/raw/bystander', [{ alive: serial }]);
    expect(response.status).toBe(200);
    const frame = await bystander.next((f) => f.type === 'data');
    expect(JSON.parse(frame.event!)).toEqual({ alive: serial });
  });

  it('echoes aws-appsync-event-ws even when the auth subprotocol is offered first', async () => {
    // Prepare
    const header = `header-${Buffer.from(JSON.stringify(userAuth)).toString('base64url')}`;
    // Act
    const other = await RawClient.open(twin, userAuth, [header, 'aws-appsync-event-ws']);
    other.send({ type: 'connection_init' });
    const ack = await other.next((f) => f.type === 'connection_ack');
    // Assess
    expect(other.socket.protocol).toBe('aws-appsync-event-ws');
    expect(ack).toEqual({ type: 'connection_ack', connectionTimeoutMs: 300000 });
    other.close();
  });

  it('sends ka keep-alives on the configured interval', async () => {
    // Act
    await client.next((f) => f.type === 'ka', KEEP_ALIVE_INTERVAL_IN_MS * 4);
    const second = await client.next((f) => f.type === 'ka', KEEP_ALIVE_INTERVAL_IN_MS * 4);
    // Assess
    expect(second).toEqual({ type: 'ka' });
  });

  it('delivers to exact and trailing-wildcard subscriptions: * matches one or more segments', async () => {
    // Prepare
    await subscribe(client, 'exact', '/raw/a/b');
    await subscribe(client, 'wild', '/raw/a/*');
    await subscribe(client, 'other', 'raw/other');
    const publisher = await RawClient.connect(twin, userAuth);
    // Act
    expect(await publish(publisher, '/raw/a/b', [{ n: 1 }])).toMatchObject({ type: 'publish_success', failed: [] });
    expect(await publish(publisher, '/raw/a/b/c', [{ n: 2 }])).toMatchObject({ type: 'publish_success' });
    expect(await publish(publisher, '/raw/a', [{ n: 3 }])).toMatchObject({ type: 'publish_success' });
    await httpPublish('/raw/other', [{ n: 'end' }]);
    const received = await client.dataBefore((f) => f.type === 'data' && f.id === 'other');
    // Assess
    expect(received.map((f) => [f.id, JSON.parse(f.event!)])).toEqual([
      ['exact', { n: 1 }],
      ['wild', { n: 1 }],
      ['wild', { n: 2 }],
    ]);
    publisher.close();
  });

  it('sends one data frame per event, each event a JSON string, in publish order', async () => {
    await subscribe(client, 's1', '/raw/five');
    const events = [{ seq: 0 }, 'two', 3, null, [5]];
    const result = await publish(client, '/raw/five', events);
    expect((result.successful as unknown[]).length).toBe(5);
    const frames = [];
    for (let i = 0; i < 5; i++) frames.push(await client.next((f) => f.type === 'data'));
    expect(frames.map((f) => typeof f.event)).toEqual(Array(5).fill('string'));
    expect(frames.map((f) => JSON.parse(f.event!))).toEqual(events);
  });

  it('stops delivery after unsubscribe and answers an unknown id with unsubscribe_error', async () => {
    // Prepare
    await subscribe(client, 'gone', '/raw/unsub');
    await subscribe(client, 'marker', '/raw/marker');
    // Act
    client.send({ type: 'unsubscribe', id: 'gone' });
    const success = await client.next((f) => f.id === 'gone');
    await httpPublish('/raw/unsub', [{ late: true }]);
    await httpPublish('/raw/marker', [{ marker: true }]);
    const delivered = await client.dataBefore((f) => f.type === 'data' && f.id === 'marker');
    client.send({ type: 'unsubscribe', id: 'gone' });
    const again = await client.next((f) => f.id === 'gone');
    // Assess
    expect(success).toEqual({ type: 'unsubscribe_success', id: 'gone' });
    expect(delivered).toEqual([]);
    expect(again).toEqual({ type: 'unsubscribe_error', id: 'gone', errors: [{ errorType: 'UnknownOperationError', message: 'Unknown operation id gone' }] });
  });

  it('refuses a duplicate subscription id and keeps the first subscription', async () => {
    await subscribe(client, 'dup', '/raw/dup1');
    const duplicate = await subscribe(client, 'dup', '/raw/dup2');
    await httpPublish('/raw/dup1', [{ to: 1 }]);
    expect(duplicate).toMatchObject({ type: 'subscribe_error', id: 'dup', errors: [{ errorType: 'BadRequestException' }] });
    expect(JSON.parse((await client.next((f) => f.type === 'data' && f.id === 'dup')).event!)).toEqual({ to: 1 });
  });

  it.each([
    ['malformed JSON', '{"type":"subscribe",', undefined, 'BadRequestException'],
    ['a JSON array', '[1,2]', undefined, 'BadRequestException'],
    ['an unknown type', JSON.stringify({ type: 'start', id: 'x1' }), 'x1', 'UnsupportedOperation'],
    ['a frame without a type', JSON.stringify({ id: 'x2' }), 'x2', 'UnsupportedOperation'],
    ['an invalid id', JSON.stringify({ type: 'subscribe', id: 'bad id!', channel: '/raw/a' }), 'bad id!', 'BadRequestException'],
  ])('answers %s with an error frame and keeps the connection', async (_name, text, id, errorType) => {
    // Act
    client.send(text);
    const error = await client.next((f) => f.type === 'error');
    // Assess
    expect(error.id).toBe(id);
    expect(error.errors?.[0].errorType).toBe(errorType);
    expect(await subscribe(client, 'after', '/raw/after')).toMatchObject({ type: 'subscribe_success' });
  });

  it('answers a frame over the 1.2 MB limit with an error frame and keeps the connection', async () => {
    // Act
    client.send(JSON.stringify({ type: 'publish', id: 'big', channel: '/raw/a', events: ['"x"'], pad: 'x'.repeat(MAX_FRAME_SIZE_IN_BYTES) }));
    const error = await client.next((f) => f.type === 'error');
    // Assess
    expect(error.errors?.[0]).toMatchObject({ errorType: 'BadRequestException' });
    expect(error.errors?.[0].message).toContain('exceeds the limit');
    expect(await subscribe(client, 'after', '/raw/after')).toMatchObject({ type: 'subscribe_success' });
  });

  it('answers a binary frame with an error frame', async () => {
    client.socket.send(Buffer.from('{"type":"connection_init"}'), { binary: true });
    expect((await client.next((f) => f.type === 'error')).errors?.[0].message).toContain('Binary frames');
  });

  it.each([
    ['six events', '/raw/a', Array.from({ length: 6 }, (_, i) => ({ i })), 'Too many events: 6'],
    ['a 241 KB event', '/raw/a', ['x'.repeat(MAX_EVENT_SIZE_IN_BYTES + 1024)], 'at most 245760 bytes'],
    ['a wildcard channel', '/raw/*', [{ a: 1 }], 'wildcards are only allowed when subscribing'],
    ['an unknown namespace', '/nope/a', [{ a: 1 }], 'namespace nope does not exist'],
  ])('answers a publish of %s with publish_error and broadcasts nothing', async (_name, channel, events, message) => {
    await subscribe(client, 'watch', '/raw/*');
    const error = await publish(client, channel, events);
    expect(error).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'BadRequestException' }] });
    expect(error.errors?.[0].message).toContain(message);
    await httpPublish('/raw/marker', [{ marker: true }]);
    expect(await client.dataBefore((f) => f.type === 'data' && JSON.parse(f.event!).marker === true)).toEqual([]);
  });

  it('checks each frame’s own authorization on a connection whose handshake was valid', async () => {
    const badAuth = { host: twin.context.host, Authorization: 'eyJhbGciOiJSUzI1NiJ9.e30.bad' };
    expect(await subscribe(client, 'bad', '/raw/a', badAuth)).toMatchObject({ type: 'subscribe_error', errors: [{ errorType: 'UnauthorizedException' }] });
    expect(await publish(client, '/raw/a', [{ a: 1 }], badAuth)).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'UnauthorizedException' }] });
    client.send({ type: 'subscribe', id: 'noauth', channel: '/raw/a' });
    expect(await client.next((f) => f.id === 'noauth')).toMatchObject({ type: 'subscribe_error' });
  });

  it('enforces namespace auth modes: a Cognito user cannot publish to chat', async () => {
    const error = await publish(client, '/chat/someone/c1', [{ a: 1 }]);
    expect(error).toMatchObject({ type: 'publish_error', errors: [{ errorType: 'UnauthorizedException' }] });
  });

  it('answers a bad token at connect with a non-retryable connection_error, never an ack', async () => {
    // Prepare
    const other = await RawClient.open(twin, { host: twin.context.host, Authorization: 'eyJhbGciOiJSUzI1NiJ9.e30.bad' });
    // Act
    other.send({ type: 'connection_init' });
    const error = await other.next((f) => f.type === 'connection_error');
    // Assess
    expect(error.errors?.[0]).toMatchObject({ errorType: 'UnauthorizedException', errorCode: 401 });
    expect(other.inbox.some((f) => f.type === 'connection_ack')).toBe(false);
    await other.next(() => false, 1000).catch(() => undefined);
    expect(other.closed).toBe(true);
  });

  it('accepts IAM SigV4 for connecting and publishing to chat, but lets no IAM principal subscribe to it', async () => {
    // Prepare: an IAM principal of the account, as the gateway role is.
    const iamClient = await RawClient.connect(twin, await signedEventsHeaders(twin, '{}'));
    const channel = '/chat/*';
    const authorization = await signedEventsHeaders(twin, JSON.stringify({ channel }));
    // Act
    const subscribed = await subscribe(iamClient, 'all-chat', channel, authorization);
    const response = await signedEventsPublish(twin, '/chat/user-1/c1', [{ type: 'delta', seq: 1, text: 'hi' }]);
    // Assess: only Cognito users read token streams (their own, per the handler).
    expect(subscribed).toMatchObject({ type: 'subscribe_error', id: 'all-chat', errors: [{ errorType: 'UnauthorizedException' }] });
    expect(response.status).toBe(200);
    iamClient.close();
  });
});
