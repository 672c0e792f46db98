/**
 * Every principal against every GraphQL field and Events operation, with the expected
 * outcome written from the docs (schema/schema.graphql's auth directives, docs/web.md and
 * docs/events-twin.md): user fields for any signed-in user, admin fields for `admins`,
 * `/chat/{sub}` subscribed by its owner only and published by IAM only, `/prompts/{sub}`
 * by its owner only. Neither API enables API keys, so an API-key caller is refused
 * everywhere, with AppSync's 401 UnauthorizedException for an auth mode the API does not have.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { signedEventsHeaders } from '../helpers/sigv4.js';
import { startTestTwin } from '../helpers/twin.js';

const [ALICE, BOB, ADMIN] = [
  DEMO_USERS.find((u) => u.email === 'alice@example.com')!,
  DEMO_USERS.find((u) => u.email === 'bob@example.com')!,
  DEMO_USERS.find((u) => u.email === 'admin@example.com')!,
];
const SIMULATOR_MODEL_ID = 'sluice.simulator';
/** A well-formed AppSync API key, for the caller that holds one when the twin published none. */
const UNPUBLISHED_API_KEY = 'da2-abcdefghijklmnopqrstuvwxyz';

type Principal = 'none' | 'apiKey' | 'user' | 'otherUser' | 'admin' | 'iam' | 'forged' | 'expired' | 'idToken';
const PRINCIPALS: Principal[] = ['none', 'apiKey', 'user', 'otherUser', 'admin', 'iam', 'forged', 'expired', 'idToken'];
/** `invalid`: the document itself was refused, so the cell tested nothing (a bug in this table). */
type Outcome = 'allowed' | 'denied' | 'invalid';

/** Who may: the signed-in Cognito callers of the user fields, and the admins. */
const SIGNED_IN: Principal[] = ['user', 'otherUser', 'admin', 'idToken'];
const ADMINS: Principal[] = ['admin'];
/** Alice's own resources: alice by access or ID token. */
const ALICE_ONLY: Principal[] = ['user', 'idToken'];

function cognitoLocalKey(): KeyObject {
  const path = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  return createPrivateKey({ key: (JSON.parse(readFileSync(path, 'utf8')) as { jwk: object }).jwk as never, format: 'jwk' });
}

function signJwt(payload: Record<string, unknown>, key: KeyObject): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', kid: 'CognitoLocal' })}.${encode(payload)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

describe('authorization matrix', () => {
  let twin: Twin;
  let aliceSub: string;
  let aliceConversationId: string;
  const tokens: Partial<Record<Principal, string>> = {};
  /** The API key a client would read from amplify_outputs.json, if the twin published one. */
  let apiKey: string;

  beforeAll(async () => {
    twin = await startTestTwin();
    const published = twin.outputs as { data: { api_key?: string }; custom: { events: { api_key?: string } } };
    apiKey = published.data.api_key ?? published.custom.events.api_key ?? UNPUBLISHED_API_KEY;
    configureAmplify(twin);
    const alice = await signInAs(ALICE);
    aliceSub = alice.sub;
    tokens.user = alice.accessToken;
    tokens.idToken = alice.idToken;
    tokens.otherUser = (await signInAs(BOB)).accessToken;
    tokens.admin = (await signInAs(ADMIN)).accessToken;
    const claims = JSON.parse(Buffer.from(alice.accessToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    tokens.forged = signJwt(claims, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    tokens.expired = signJwt({ ...claims, iat: 1_600_000_000, exp: 1_600_003_600 }, cognitoLocalKey());
    // Alice's conversation, the resource other users must not read.
    const started = await graphqlAs('user', `mutation { startChat(input: { modelId: "${SIMULATOR_MODEL_ID}", prompt: "hello", maxTokens: 16 }) { conversationId } }`);
    aliceConversationId = (started.body as { data: { startChat: { conversationId: string } } }).data.startChat.conversationId;
    // The streaming function records the conversation once it has claimed the turn.
    await twin.context.lambda.drain();
  }, 120_000);
  afterAll(async () => twin?.close());

  async function iamHeaders(url: string, body: string): Promise<Record<string, string>> {
    const target = new URL(url);
    const signer = new SignatureV4({ credentials: twin.outputs.custom.local.iam_credentials, region: twin.outputs.custom.events.aws_region, service: 'appsync', sha256: Sha256 });
    const signed = await signer.sign(
      new HttpRequest({ method: 'POST', protocol: target.protocol, hostname: target.hostname, port: Number(target.port), path: target.pathname, headers: { host: target.host, 'content-type': 'application/json' }, body }),
    );
    return signed.headers as Record<string, string>;
  }

  function tokenHeaders(principal: Principal): Record<string, string> {
    if (principal === 'none' || principal === 'iam') return {};
    if (principal === 'apiKey') return { 'x-api-key': apiKey };
    return { authorization: tokens[principal]! };
  }

  async function graphqlAs(principal: Principal, query: string): Promise<{ status: number; body: unknown }> {
    const url = `${twin.url}/graphql`;
    const body = JSON.stringify({ query });
    const headers = principal === 'iam' ? await iamHeaders(url, body) : { 'content-type': 'application/json', ...tokenHeaders(principal) };
    const response = await fetch(url, { method: 'POST', headers, body });
    return { status: response.status, body: await response.json() };
  }

  /** Denied: a 401/403, an `Unauthorized` error on the field, or another user's resource read as null. */
  function graphqlOutcome(result: { status: number; body: unknown }, field: string): Outcome {
    if (result.status === 401 || result.status === 403) return 'denied';
    const { data, errors } = result.body as { data?: Record<string, unknown> | null; errors?: { errorType?: string; path?: string[] }[] };
    if (errors?.some((e) => e.errorType === 'Unauthorized' || e.errorType === 'UnauthorizedException')) return 'denied';
    if (errors?.some((e) => !e.path && (e.errorType === 'ValidationError' || e.errorType === 'InvalidSyntax'))) return 'invalid';
    if (field === 'conversation' && data?.conversation === null) return 'denied';
    return 'allowed';
  }

  const today = new Date().toISOString().slice(0, 10);
  const GRAPHQL: { field: string; query: () => string; allowed: Principal[] }[] = [
    { field: 'models', query: () => '{ models { id } }', allowed: SIGNED_IN },
    { field: 'myUsage', query: () => '{ myUsage { day { spentUsd } } }', allowed: SIGNED_IN },
    { field: 'conversations', query: () => '{ conversations { items { id } } }', allowed: SIGNED_IN },
    { field: 'conversation', query: () => `{ conversation(id: "${aliceConversationId}") { id } }`, allowed: ALICE_ONLY },
    { field: 'startChat', query: () => `mutation { startChat(input: { modelId: "${SIMULATOR_MODEL_ID}", prompt: "hi", maxTokens: 8 }) { requestId } }`, allowed: SIGNED_IN },
    { field: 'cancelChat', query: () => 'mutation { cancelChat(requestId: "no-such-request") { requestId } }', allowed: SIGNED_IN },
    { field: 'usageReport', query: () => `{ usageReport(from: "${today}", to: "${today}", groupBy: USER) { totalUsd } }`, allowed: ADMINS },
    { field: 'topUsers', query: () => `{ topUsers(from: "${today}", to: "${today}") { userId } }`, allowed: ADMINS },
    { field: 'budgetOverride', query: () => `{ budgetOverride(userId: "${aliceSub}") { userId } }`, allowed: ADMINS },
    { field: 'auditLog', query: () => '{ auditLog { items { id } } }', allowed: ADMINS },
    { field: 'liveMetrics', query: () => '{ liveMetrics { windowMinutes } }', allowed: ADMINS },
    { field: 'setBudgetOverride', query: () => `mutation { setBudgetOverride(userId: "${aliceSub}", input: { dailyLimitUsd: 5 }) { userId } }`, allowed: ADMINS },
    { field: 'clearBudgetOverride', query: () => `mutation { clearBudgetOverride(userId: "${aliceSub}") { userId } }`, allowed: ADMINS },
  ];

  /** The auth object of a frame or handshake for `principal` (IAM signs `body`). */
  async function eventsAuth(principal: Principal, body: string): Promise<Record<string, string> | undefined> {
    if (principal === 'none') return undefined;
    if (principal === 'iam') return signedEventsHeaders(twin, body);
    return { host: twin.context.host, ...tokenHeaders(principal) };
  }

  async function subscribeAs(principal: Principal, channel: string): Promise<Outcome> {
    const handshake = await eventsAuth(principal, '{}');
    const protocols = ['aws-appsync-event-ws', ...(handshake ? [`header-${Buffer.from(JSON.stringify(handshake)).toString('base64url')}`] : [])];
    const socket = new WebSocket(`${twin.url.replace('https:', 'wss:')}/event/realtime`, protocols);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const frames: { type: string }[] = [];
      socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as { type: string }));
      socket.send(JSON.stringify({ type: 'connection_init' }));
      await expect.poll(() => frames.length).toBeGreaterThan(0);
      if (frames[0]!.type !== 'connection_ack') return 'denied';
      socket.send(JSON.stringify({ type: 'subscribe', id: 's1', channel, authorization: await eventsAuth(principal, JSON.stringify({ channel })) }));
      await expect.poll(() => frames.find((f) => f.type.startsWith('subscribe_'))).toBeDefined();
      return frames.some((f) => f.type === 'subscribe_success') ? 'allowed' : 'denied';
    } finally {
      socket.terminate();
    }
  }

  async function publishAs(principal: Principal, channel: string): Promise<Outcome> {
    const body = JSON.stringify({ channel, events: [JSON.stringify({ type: 'delta', requestId: 'r', seq: 1, text: 'x' })] });
    const headers = principal === 'iam' ? await signedEventsHeaders(twin, body) : { 'content-type': 'application/json', ...tokenHeaders(principal) };
    const response = await fetch(twin.outputs.custom.events.url, { method: 'POST', headers, body });
    await response.arrayBuffer();
    return response.status === 200 ? 'allowed' : 'denied';
  }

  const EVENTS: { operation: string; run: (p: Principal) => Promise<Outcome>; allowed: Principal[] }[] = [
    // Least privilege: IAM publishes the stream but may not read it.
    { operation: 'subscribe /chat/{alice}', run: (p) => subscribeAs(p, `/chat/${aliceSub}/matrix`), allowed: ALICE_ONLY },
    { operation: 'publish /chat/{alice}', run: (p) => publishAs(p, `/chat/${aliceSub}/matrix`), allowed: ['iam'] },
    { operation: 'subscribe /prompts/{alice}', run: (p) => subscribeAs(p, `/prompts/${aliceSub}`), allowed: ALICE_ONLY },
  ];

  it('publishes no API key in amplify_outputs.json', () => {
    expect(twin.outputs.data.url).toBeDefined();
    expect(JSON.stringify(twin.outputs)).not.toMatch(/api_?key/i);
  });

  it('refuses an API-key caller at both APIs with 401 UnauthorizedException, the error for an auth mode the API does not have', async () => {
    // Prepare
    const body = JSON.stringify({ query: '{ models { id } }' });
    const publish = JSON.stringify({ channel: `/prompts/${aliceSub}`, events: [JSON.stringify({ prompt: 'hi' })] });
    const handshake = { host: twin.context.host, 'x-api-key': apiKey };
    // Act
    const graphqlResponse = await fetch(`${twin.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body });
    const publishResponse = await fetch(twin.outputs.custom.events.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: publish });
    const socket = new WebSocket(`${twin.url.replace('https:', 'wss:')}/event/realtime`, ['aws-appsync-event-ws', `header-${Buffer.from(JSON.stringify(handshake)).toString('base64url')}`]);
    const frames: { type: string; errors?: unknown[] }[] = [];
    socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as { type: string }));
    await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await expect.poll(() => frames.length).toBeGreaterThan(0);
    socket.terminate();
    // Assess: refused by the API itself, before any field, namespace or handler runs.
    expect(graphqlResponse.status).toBe(401);
    expect(graphqlResponse.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(await graphqlResponse.json()).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: expect.any(String) }] });
    expect(publishResponse.status).toBe(401);
    expect(publishResponse.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(frames[0]).toMatchObject({ type: 'connection_error', errors: [{ errorType: 'UnauthorizedException', errorCode: 401 }] });
  });

  it('allows every principal exactly what the docs allow, on every GraphQL field and Events operation', { timeout: 240_000 }, async () => {
    // Act
    const wrong: string[] = [];
    let cells = 0;
    for (const principal of PRINCIPALS) {
      for (const { field, query, allowed } of GRAPHQL) {
        const outcome = graphqlOutcome(await graphqlAs(principal, query()), field);
        const expected: Outcome = allowed.includes(principal) ? 'allowed' : 'denied';
        cells++;
        if (outcome !== expected) wrong.push(`${principal} × ${field}: ${outcome}, expected ${expected}`);
      }
      for (const { operation, run, allowed } of EVENTS) {
        const outcome = await run(principal);
        const expected: Outcome = allowed.includes(principal) ? 'allowed' : 'denied';
        cells++;
        if (outcome !== expected) wrong.push(`${principal} × ${operation}: ${outcome}, expected ${expected}`);
      }
    }

    // Assess: 0 unauthorized successes and 0 wrong denials.
    expect(cells).toBe(PRINCIPALS.length * (GRAPHQL.length + EVENTS.length));
    expect(wrong).toEqual([]);
  });
});
