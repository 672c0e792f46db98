/**
 * The twin answers nothing until it is ready, and never leaves a request hanging: while it
 * sets up (tables, side services, components) its open port answers 503 with Retry-After,
 * HTTP requests and WebSocket upgrades alike; once ready, the same requests are served.
 */
import { WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultComponents } from '../../infra/local/components.js';
import type { TwinComponentFactory } from '../../infra/local/context.js';
import { freePort } from '../../infra/local/ports.js';
import type { Twin } from '../../infra/local/twin.js';
import { startTestTwin } from '../helpers/twin.js';

/** How long a request may take before it counts as hanging. */
const ANSWER_WITHIN_MS = 5_000;
let twin: Twin | undefined;

afterAll(async () => {
  await twin?.close();
});

/** The status of a WebSocket upgrade to the Events endpoint (101 when accepted). */
function upgradeStatus(url: string): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolveStatus, reject) => {
    const socket = new WebSocket(`${url.replace('https:', 'wss:')}/event/realtime`, ['aws-appsync-event-ws']);
    socket.once('unexpected-response', (_req, res) => {
      resolveStatus({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
      socket.terminate();
    });
    socket.once('upgrade', () => {
      resolveStatus({ status: 101 });
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

describe('a starting twin', () => {
  it('answers 503 with Retry-After until it is ready, then serves', async () => {
    const port = await freePort();
    const url = `https://localhost:${port}`;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // A component whose set-up waits: the window in which the port is open and the twin is not ready.
    const slowComponent: TwinComponentFactory = async () => {
      await released;
      return { name: 'slow-to-start' };
    };
    const starting = startTestTwin({ port, components: [slowComponent, ...defaultComponents] });
    await expect.poll(() => fetch(`${url}/graphql`, { method: 'POST', signal: AbortSignal.timeout(ANSWER_WITHIN_MS) }).then((r) => r.status, () => 0), { timeout: 30_000 }).toBe(503);

    const early = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ models { id } }' }),
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('1');
    expect(early.headers.get('x-amzn-errortype')).toBe('ServiceUnavailableException');
    expect(await upgradeStatus(url)).toEqual({ status: 503, retryAfter: '1' });

    release();
    twin = await starting;
    const ready = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ models { id } }' }),
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    // Served by the GraphQL twin now: refused for lack of auth, not for being unready.
    expect(ready.status).not.toBe(503);
    expect(ready.headers.get('x-amzn-errortype')).toMatch(/Unauthorized/);
    expect((await upgradeStatus(url)).status).not.toBe(503);
  });
});
