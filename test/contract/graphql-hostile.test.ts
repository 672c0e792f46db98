import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateway } from '../../infra/gateway.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { startTestTwin } from '../helpers/twin.js';

const ALICE = DEMO_USERS.find((u) => u.email === 'alice@example.com')!;

/** `[[[…1…]]]` nested `depth` levels, as text. */
function nestedArrayText(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

describe('GraphQL against hostile documents', () => {
  let twin: Twin;
  let token: string;
  beforeAll(async () => {
    twin = await startTestTwin();
    configureAmplify(twin);
    token = (await signInAs(ALICE)).accessToken;
  });
  afterAll(async () => twin?.close());

  const post = (body: string) =>
    fetch(`${twin.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: token }, body });
  const query = (text: string, variables?: Record<string, unknown>) => post(JSON.stringify({ query: text, variables }));

  it('refuses a 10,000-alias document before it runs, and serves other callers meanwhile', async () => {
    // Prepare
    const bomb = `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: models { id }`).join(' ')} }`;

    // Act
    const [refused, healthy] = await Promise.all([query(bomb), query('{ models { id } }')]);

    // Assess
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({
      data: null,
      errors: [expect.objectContaining({ errorType: 'ValidationError', message: expect.stringMatching(/^Resolver count limit of 1000 exceeded/) })],
    });
    expect(((await healthy.json()) as { data: { models: unknown[] } }).data.models.length).toBeGreaterThan(0);
  });

  it('refuses a document nested past the query depth limit with a ValidationError', async () => {
    // Prepare
    const deep = `{ conversations { items { messages { items { usage { inputTokens } } } } } }`;
    const tooDeep = `{ ${'conversations { items { '.repeat(6)}id${' } }'.repeat(6)} }`;

    // Act
    const [allowed, refused] = await Promise.all([query(deep), query(tooDeep)]);

    // Assess
    expect(((await allowed.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(await refused.json()).toMatchObject({
      data: null,
      errors: [{ errorType: 'ValidationError', message: `Query depth limit of ${gateway.graphql.queryDepthLimit} exceeded: the query nests 13 levels.` }],
    });
  });

  it('answers a document nested 10,000 levels with a typed error, not a 500', async () => {
    // Act
    const response = await query(`${'{ a '.repeat(10_000)}${'}'.repeat(10_000)}`);

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ data: null, errors: [{ errorType: 'ValidationError' }] });
  });

  it('answers variables nested 10,000 levels as a malformed request', async () => {
    // Act
    const response = await post(`{"query":"{ models { id } }","variables":{"x":${nestedArrayText(10_000)}}}`);

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ errorType: 'MalformedHttpRequestException', message: 'Unable to parse GraphQL query.' }] });
  });

  it.each([
    ['a batch array', JSON.stringify([{ query: '{ models { id } }' }, { query: '{ models { id } }' }]), 'Unable to parse GraphQL query.'],
    ['an empty object', '{}', 'Unable to parse GraphQL query.'],
    ['an empty body', '', 'Request body is empty.'],
  ])('answers %s with 400 as AppSync does', async (_label, body, message) => {
    // Act
    const response = await post(body);

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('MalformedHttpRequestException');
    expect(await response.json()).toEqual({ errors: [{ errorType: 'MalformedHttpRequestException', message }] });
  });

  it('serves a query sent with GET, its request in the query string', async () => {
    // Prepare
    const url = new URL(`${twin.url}/graphql`);
    url.searchParams.set('query', 'query Page($n: Int) { conversations(limit: $n) { items { id } } models { id } }');
    url.searchParams.set('variables', JSON.stringify({ n: 1 }));

    // Act
    const response = await fetch(url, { headers: { authorization: token } });

    // Assess
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { models: unknown[] } }).data.models.length).toBeGreaterThan(0);
  });

  it.each([
    ['not base64 JSON', 'garbage!!'],
    ['JSON that is not a key', Buffer.from('{"userId":{"M":{}}}').toString('base64url')],
  ])('answers a nextToken that is %s with a ValidationError', async (_label, nextToken) => {
    // Act
    const response = await query('query Page($t: String) { conversations(nextToken: $t) { items { id } } }', { t: nextToken });

    // Assess
    expect(await response.json()).toMatchObject({ data: null, errors: [{ errorType: 'ValidationError', message: expect.stringMatching(/nextToken/) }] });
  });
});
