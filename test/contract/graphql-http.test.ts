import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BODY_IN_BYTES } from '../../infra/local/graphql/component.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { signedGraphqlHeaders } from '../helpers/sigv4.js';
import { startTestTwin } from '../helpers/twin.js';

describe('POST /graphql over HTTP', () => {
  let twin: Twin;
  /** A signed-in user's access token: the caller of every request unless a test says otherwise. */
  let accessToken: string;
  beforeAll(async () => {
    twin = await startTestTwin();
    configureAmplify(twin);
    ({ accessToken } = await signInAs(DEMO_USERS[0]));
  });
  afterAll(async () => twin?.close());

  const post = (body: string, headers: Record<string, string> = { authorization: accessToken }) =>
    fetch(`${twin.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers a browser preflight with CORS headers', async () => {
    // Act
    const response = await fetch(`${twin.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
    // Assess
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('refuses a request without credentials with 401 UnauthorizedException', async () => {
    // Act
    const response = await post(JSON.stringify({ query: '{ models { id } }' }), {});
    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(await response.json()).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: expect.any(String) }] });
  });

  it('denies a Cognito-only field to an IAM caller, field by field', async () => {
    // Prepare
    const body = JSON.stringify({ query: '{ models { id } }' });
    // Act
    const response = await post(body, await signedGraphqlHeaders(twin, body));
    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      data: null,
      errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access models on type Query', path: ['models'] }],
    });
  });

  it('answers a body that is not JSON with 400 and keeps serving', async () => {
    // Act
    const bad = await post('{"query": ');
    const next = await post(JSON.stringify({ query: '{ __typename }' }));
    // Assess
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('MalformedHttpRequestException');
    expect(await next.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a body over the size limit with 413', async () => {
    // Act
    const response = await post(JSON.stringify({ query: `{ __typename }${' '.repeat(MAX_REQUEST_BODY_IN_BYTES)}` }));
    // Assess
    expect(response.status).toBe(413);
    expect(response.headers.get('x-amzn-errortype')).toBe('PayloadTooLargeException');
  });
});
