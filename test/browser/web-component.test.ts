import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import type { Twin } from '../../infra/local/twin.js';
import { ensureWebBuild } from '../../infra/local/web.js';
import { startTestTwin } from '../helpers/twin.js';

describe('the twin serving the web app', () => {
  let twin: Twin;

  beforeAll(async () => {
    await ensureWebBuild();
    twin = await startTestTwin();
  }, 180_000);

  afterAll(async () => {
    await twin?.close();
  });

  it('serves amplify_outputs.json of the running twin with the demo users', async () => {
    // Act
    const response = await fetch(`${twin.url}/amplify_outputs.json`);
    const outputs = (await response.json()) as { data: { url: string }; custom: { local: { demo_users: { email: string }[] } } };

    // Assess
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(outputs.data.url).toBe(`${twin.url}/graphql`);
    expect(outputs.custom.local.demo_users.map((u) => u.email)).toEqual(DEMO_USERS.map((u) => u.email));
  });

  it.each(['/', '/admin', '/c/some-conversation'])('answers the app route %s with index.html', async (path) => {
    // Act
    const response = await fetch(`${twin.url}${path}`, { headers: { accept: 'text/html' } });

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('<div id="root"></div>');
  });

  it('serves the built assets the page links to', async () => {
    // Prepare
    const html = await (await fetch(`${twin.url}/`, { headers: { accept: 'text/html' } })).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];

    // Act
    const response = await fetch(`${twin.url}${script}`);

    // Assess
    expect(script).toBeDefined();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/javascript');
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it.each([
    ['a missing asset', '/assets/nope.js'],
    ['a path escaping web/dist', '/..%2f..%2fpackage.json'],
    ['an API path no component claimed', '/graphql/nothing-here'],
  ])('answers %s with 404, not the app', async (_name, path) => {
    // Act
    const response = await fetch(`${twin.url}${path}`, { headers: { accept: 'text/html' } });

    // Assess
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('<div id="root">');
  });
});
