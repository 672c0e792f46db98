import { events, type EventsChannel } from 'aws-amplify/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthMode, gateway, type GatewayManifest } from '../../infra/gateway.js';
import { MAX_EVENT_SIZE_IN_BYTES } from '../../infra/local/events/constants.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { signedEventsPublish } from '../helpers/sigv4.js';
import { startTestTwin } from '../helpers/twin.js';

/** The gateway plus a test-only namespace where signed-in users may publish. */
const manifest: GatewayManifest = {
  ...gateway,
  events: {
    ...gateway.events,
    namespaces: [...gateway.events.namespaces, { name: 'rooms', publishAuthModes: [AuthMode.COGNITO], subscribeAuthModes: [AuthMode.COGNITO] }],
  },
};

/** Collects what an Amplify subscription receives, and lets a test wait for the n-th event. */
function collector() {
  const received: unknown[] = [];
  const errors: unknown[] = [];
  let wake: () => void = () => undefined;
  return {
    received,
    errors,
    observer: {
      next: (message: { event: unknown }) => {
        received.push(message.event);
        wake();
      },
      error: (error: unknown) => errors.push(error),
    },
    async waitFor(count: number, timeoutMs = 5000): Promise<unknown[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`Received ${received.length} of ${count} events: ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return received.slice(0, count);
    },
  };
}

describe('aws-amplify v6 events client against the Events twin', () => {
  let twin: Twin;
  let aliceSub: string;
  let bobSub: string;
  const channels: EventsChannel[] = [];
  const connect = async (channel: string) => {
    const connected = await events.connect(channel);
    channels.push(connected);
    return connected;
  };

  beforeAll(async () => {
    twin = await startTestTwin({ manifest });
    configureAmplify(twin);
    bobSub = twin.context.cognito.userSubs[DEMO_USERS[1].email];
    ({ sub: aliceSub } = await signInAs(DEMO_USERS[0]));
  });

  afterAll(async () => {
    for (const channel of channels) await channel.close();
    await twin?.close();
  });

  it('receives, on its own chat channel, a token stream published over HTTP with IAM SigV4', async () => {
    // Prepare
    const channel = await connect(`/chat/${aliceSub}/c1`);
    const inbox = collector();
    const subscription = channel.subscribe(inbox.observer);
    await subscription.ready;
    const stream = [
      { type: 'start', requestId: 'r1', conversationId: 'c1', model: 'sim', seq: 0 },
      { type: 'delta', requestId: 'r1', seq: 1, text: 'Hello' },
      { type: 'delta', requestId: 'r1', seq: 2, text: ', world' },
      { type: 'end', requestId: 'r1', seq: 3, stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 2 } },
    ];
    // Act
    const first = await signedEventsPublish(twin, `/chat/${aliceSub}/c1`, stream.slice(0, 1));
    const rest = await signedEventsPublish(twin, `/chat/${aliceSub}/c1`, stream.slice(1));
    // Assess
    expect(first.status).toBe(200);
    expect(rest.body.successful?.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(rest.body.failed).toEqual([]);
    expect(await inbox.waitFor(4)).toEqual(stream);
    expect(inbox.errors).toEqual([]);
  });

  it("refuses a subscription to another user's chat channel with Unauthorized", async () => {
    // Prepare
    const channel = await connect(`/chat/${bobSub}/c1`);
    const inbox = collector();
    // Act
    const subscription = channel.subscribe(inbox.observer);
    // Assess
    await expect(subscription.ready).rejects.toThrow(/Unauthorized/);
    const published = await signedEventsPublish(twin, `/chat/${bobSub}/c1`, [{ type: 'delta', seq: 1, text: 'secret' }]);
    expect(published.status).toBe(200);
    // Alice's own subscription on the shared socket keeps working; Bob's events never reach her.
    const own = collector();
    const ownChannel = await connect(`/chat/${aliceSub}/c2`);
    await ownChannel.subscribe(own.observer).ready;
    await signedEventsPublish(twin, `/chat/${aliceSub}/c2`, ['mine']);
    expect(await own.waitFor(1)).toEqual(['mine']);
    expect(inbox.received).toEqual([]);
  });

  it('refuses a user publishing to chat, over WebSocket and over HTTP', async () => {
    // Prepare
    const channel = await connect(`/chat/${aliceSub}/c3`);
    // Act + Assess
    await expect(channel.publish({ type: 'delta', text: 'forged' })).rejects.toThrow('Publish errors: UnauthorizedException');
    await expect(events.post(`/chat/${aliceSub}/c3`, { type: 'delta', text: 'forged' })).rejects.toMatchObject({ name: 'UnauthorizedException' });
  });

  it('publishes over WebSocket and HTTP where the namespace allows Cognito users', async () => {
    // Prepare
    const channel = await connect('/rooms/lobby');
    const inbox = collector();
    await channel.subscribe(inbox.observer).ready;
    // Act
    await channel.publish({ from: 'ws' });
    const httpResult = await events.post('/rooms/lobby', [{ from: 'http', n: 1 }, { from: 'http', n: 2 }]);
    // Assess
    expect(httpResult).toBeUndefined();
    expect(await inbox.waitFor(3)).toEqual([{ from: 'ws' }, { from: 'http', n: 1 }, { from: 'http', n: 2 }]);
  });

  it('delivers to a wildcard subscription made through Amplify', async () => {
    const channel = await connect('/rooms/team/*');
    const inbox = collector();
    await channel.subscribe(inbox.observer).ready;
    await events.post('/rooms/team/a', { at: 'a' });
    await events.post('/rooms/team/b/c', { at: 'b/c' });
    expect(await inbox.waitFor(2)).toEqual([{ at: 'a' }, { at: 'b/c' }]);
  });

  it.each([
    ['a segment with an underscore', '/rooms/bad_name'],
    ['six segments', '/rooms/a/b/c/d/e'],
    ['an unknown namespace', '/nowhere/a'],
  ])('refuses a bad channel name (%s) with BadRequestException', async (_case, name) => {
    // Prepare
    const channel = await connect(name);
    // Act + Assess
    await expect(channel.publish({ a: 1 })).rejects.toThrow('Publish errors: BadRequestException');
    await expect(events.post(name, { a: 1 })).rejects.toMatchObject({ name: 'BadRequestException' });
    await expect(channel.subscribe(collector().observer).ready).rejects.toThrow(/BadRequestException/);
  });

  it('refuses six events in one publish and broadcasts none of them', async () => {
    // Prepare
    const channel = await connect('/rooms/six');
    const inbox = collector();
    await channel.subscribe(inbox.observer).ready;
    const six = Array.from({ length: 6 }, (_, n) => ({ n }));
    // Act + Assess
    await expect(channel.publish(six)).rejects.toThrow('Publish errors: BadRequestException');
    await expect(events.post('/rooms/six', six)).rejects.toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('at most 5') });
    await events.post('/rooms/six', six.slice(0, 5));
    expect(await inbox.waitFor(5)).toEqual(six.slice(0, 5));
  });

  it('refuses a 241 KB event and accepts one just under 240 KB', async () => {
    // Prepare
    const channel = await connect('/rooms/big');
    const inbox = collector();
    await channel.subscribe(inbox.observer).ready;
    const tooBig = { blob: 'x'.repeat(241 * 1024) };
    const fits = { blob: 'y'.repeat(MAX_EVENT_SIZE_IN_BYTES - 16) };
    // Act + Assess
    await expect(channel.publish(tooBig)).rejects.toThrow('Publish errors: BadRequestException');
    await expect(events.post('/rooms/big', tooBig)).rejects.toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('240 KB') });
    await channel.publish(fits);
    expect(await inbox.waitFor(1)).toEqual([fits]);
  });
});
