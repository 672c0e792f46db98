import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events, type EventsChannel } from 'aws-amplify/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthMode, gateway, type ChannelNamespace, type GatewayManifest } from '../../infra/gateway.js';
import type { LambdaHandler } from '../../infra/local/lambda.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { startTestTwin } from '../helpers/twin.js';

/** A plain-function handler file: transforms, filters and rejects events; guards subscriptions. */
const CODE_HANDLERS = `
import { util } from '@aws-appsync/utils';
export function onPublish(ctx) {
  if (ctx.events.some((e) => e.payload.fail)) util.error('Rejected by the handler', 'HandlerRejected');
  if (ctx.events.some((e) => e.payload.deny)) util.unauthorized();
  return ctx.events
    .filter((e) => !e.payload.drop)
    .map((e) => e.payload.bad
      ? { id: e.id, error: 'bad event' }
      : { id: e.id, payload: { ...e.payload, path: ctx.info.channel.path, ns: ctx.info.channelNamespace.name, op: ctx.info.operation, sub: ctx.identity.sub, hasHeaders: typeof ctx.request.headers === 'object' } });
}
export function onSubscribe(ctx) {
  if (ctx.info.channel.segments[1] === 'denied') util.unauthorized();
  if (ctx.info.channel.segments[1] === 'closed') util.error('This room is closed', 'RoomClosed');
}
`;

/** A `{request, response}` handler calling a Lambda data source. */
const DATA_SOURCE_HANDLERS = `
export const onPublish = {
  request(ctx) {
    return { operation: 'Invoke', payload: { events: ctx.events, channel: ctx.info.channel.path } };
  },
  response(ctx) {
    return ctx.result.events.map((e) => ({ id: e.id, payload: { ...e.payload, viaLambda: true } }));
  },
};
`;

/** Signed-in users publish and subscribe, as on Sluice's own prompts namespace. */
const USERS_ONLY = { publishAuthModes: [AuthMode.COGNITO], subscribeAuthModes: [AuthMode.COGNITO] };

describe('Events channel handlers on the twin', () => {
  let twin: Twin;
  let folder: string;
  /** The signed-in user's sub and access token: the caller of every publish and subscription. */
  let user: { sub: string; accessToken: string };
  const audited: unknown[] = [];
  const lambdaEvents: Record<string, unknown>[] = [];
  const channels: EventsChannel[] = [];

  const lambdas: Record<string, LambdaHandler> = {
    echo: async (event) => event,
    router: async (event) => {
      lambdaEvents.push(event as Record<string, unknown>);
      const { events: incoming } = event as { events: { id: string; payload: Record<string, unknown> }[] };
      if (incoming.some((e) => e.payload.unauth)) throw Object.assign(new Error('Not your room'), { name: 'UnauthorizedException' });
      return { events: incoming.map((e) => (e.payload.reject ? { id: e.id, error: 'router says no' } : { id: e.id, payload: { ...e.payload, routed: true } })) };
    },
    guard: async (event) => {
      lambdaEvents.push(event as Record<string, unknown>);
      const segment = (event as { info: { channel: { segments: string[] } } }).info.channel.segments[1];
      if (segment === 'unauth') throw Object.assign(new Error('No token'), { name: 'UnauthorizedException' });
      return segment === 'no' ? { error: 'Go away' } : null;
    },
    audit: async (event) => {
      audited.push(event);
    },
  };

  const subscribe = async (channel: string) => {
    const connected = await events.connect(channel, { authMode: 'userPool' });
    channels.push(connected);
    const received: unknown[] = [];
    const subscription = connected.subscribe({ next: (m: { event: unknown }) => received.push(m.event), error: () => undefined });
    return { received, ready: subscription.ready };
  };
  const post = async (channel: string, payloads: unknown[]) => {
    const response = await fetch(`${twin.url}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: user.accessToken },
      body: JSON.stringify({ channel, events: payloads.map((p) => JSON.stringify(p)) }),
    });
    return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: (await response.json()) as Record<string, unknown> };
  };
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sluice-handlers-'));
    writeFileSync(join(folder, 'code.js'), CODE_HANDLERS);
    writeFileSync(join(folder, 'data-source.js'), DATA_SOURCE_HANDLERS);
    const namespaces: ChannelNamespace[] = [
      { name: 'code', ...USERS_ONLY, codeHandlers: join(folder, 'code.js') },
      { name: 'ds', ...USERS_ONLY, codeHandlers: join(folder, 'data-source.js'), handlerDataSource: 'EchoDS' },
      {
        name: 'direct',
        ...USERS_ONLY,
        directHandlers: {
          onPublish: { functionName: 'router', invokeType: 'REQUEST_RESPONSE' },
          onSubscribe: { functionName: 'guard', invokeType: 'REQUEST_RESPONSE' },
        },
      },
      { name: 'async', ...USERS_ONLY, directHandlers: { onPublish: { functionName: 'audit', invokeType: 'EVENT' } } },
    ];
    const manifest: GatewayManifest = {
      ...gateway,
      events: { ...gateway.events, namespaces },
      dataSources: [...gateway.dataSources, { name: 'EchoDS', type: 'AWS_LAMBDA', functionName: 'echo' }],
    };
    twin = await startTestTwin({ manifest, lambdaOverrides: lambdas });
    configureAmplify(twin);
    user = await signInAs(DEMO_USERS[0]);
  });

  afterAll(async () => {
    for (const channel of channels) await channel.close();
    await twin?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  describe('APPSYNC_JS functions', () => {
    it('broadcasts what onPublish returns, reports {id, error} in failed, and counts filtered events as successful', async () => {
      // Prepare
      const sub = await subscribe('/code/room');
      await sub.ready;
      // Act
      const result = await post('/code/room', [{ n: 0 }, { n: 1, drop: true }, { n: 2, bad: true }]);
      await until(() => sub.received.length >= 1);
      // Assess
      expect(result.status).toBe(200);
      expect(result.body.failed).toEqual([{ identifier: expect.any(String), index: 2, code: 400, message: 'bad event' }]);
      expect((result.body.successful as { index: number }[]).map((s) => s.index)).toEqual([0, 1]);
      expect(sub.received).toEqual([{ n: 0, path: '/code/room', ns: 'code', op: 'PUBLISH', sub: user.sub, hasHeaders: true }]);
    });

    it('maps util.error in onPublish to 403 with the error type, and util.unauthorized to 401', async () => {
      const failed = await post('/code/room', [{ fail: true }]);
      expect(failed).toMatchObject({ status: 403, errorType: 'HandlerRejected', body: { message: 'Rejected by the handler' } });
      const denied = await post('/code/room', [{ deny: true }]);
      expect(denied).toMatchObject({ status: 401, errorType: 'UnauthorizedException' });
    });

    it('refuses a subscription when onSubscribe calls util.unauthorized or util.error', async () => {
      await expect((await subscribe('/code/denied')).ready).rejects.toThrow(/Unauthorized/);
      await expect((await subscribe('/code/closed')).ready).rejects.toThrow(/RoomClosed: This room is closed/);
    });
  });

  it('runs a {request, response} handler through its Lambda data source', async () => {
    const sub = await subscribe('/ds/room');
    await sub.ready;
    const result = await post('/ds/room', [{ hello: 'world' }]);
    await until(() => sub.received.length >= 1);
    expect(result.status).toBe(200);
    expect(sub.received).toEqual([{ hello: 'world', viaLambda: true }]);
  });

  describe('direct Lambda handlers', () => {
    it('sends the Lambda event of the reference and broadcasts the events the function returns', async () => {
      // Prepare
      const sub = await subscribe('/direct/room');
      await sub.ready;
      // Act
      const result = await post('/direct/room', [{ a: 1 }, { a: 2, reject: true }]);
      await until(() => sub.received.length >= 1);
      // Assess
      expect(sub.received).toEqual([{ a: 1, routed: true }]);
      expect(result.body.failed).toMatchObject([{ index: 1, message: 'router says no' }]);
      const publishEvent = lambdaEvents.find((e) => (e.info as { operation: string }).operation === 'PUBLISH')!;
      expect(publishEvent).toMatchObject({
        identity: { sub: user.sub, claims: expect.objectContaining({ sub: user.sub }) },
        result: null,
        error: null,
        prev: null,
        stash: {},
        outErrors: [],
        request: { domainName: null },
        info: { channel: { path: '/direct/room', segments: ['direct', 'room'] }, channelNamespace: { name: 'direct' }, operation: 'PUBLISH' },
        events: [{ id: expect.any(String), payload: { a: 1 } }, { id: expect.any(String), payload: { a: 2, reject: true } }],
      });
      expect(lambdaEvents.find((e) => (e.info as { operation: string }).operation === 'SUBSCRIBE')).toMatchObject({ events: null });
    });

    it('answers a publish the function refuses with UnauthorizedException with 403, as AppSync does for a direct handler', async () => {
      const refused = await post('/direct/room', [{ unauth: true }]);
      expect(refused).toMatchObject({ status: 403, errorType: 'UnauthorizedException' });
    });

    it('denies a subscription when the function returns {error} or throws UnauthorizedException', async () => {
      await expect((await subscribe('/direct/no')).ready).rejects.toThrow(/Go away/);
      await expect((await subscribe('/direct/unauth')).ready).rejects.toThrow(/Unauthorized/);
    });

    it('invokes EVENT handlers asynchronously and broadcasts the events unchanged', async () => {
      const sub = await subscribe('/async/room');
      await sub.ready;
      const result = await post('/async/room', [{ kept: true }]);
      await until(() => sub.received.length >= 1 && audited.length >= 1);
      expect(result.status).toBe(200);
      expect(sub.received).toEqual([{ kept: true }]);
      expect(audited).toMatchObject([{ info: { operation: 'PUBLISH' }, events: [{ payload: { kept: true } }] }]);
    });
  });
});
