/**
 * What a user sees, what is billed and what is logged when a dependency fails, and that
 * the same twin recovers by itself once it is back: Bedrock throttling every call, the
 * Events publish endpoint refusing, and Cognito rotating its signing keys. (DynamoDB
 * going away is dependency-dynamodb.test.ts: it needs its own DynamoDB Local.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { generateClient } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricName } from '../../functions/shared/metrics.js';
import type { EndEvent } from '../../schema/stream-protocol.js';
import { defaultComponents } from '../../infra/local/components.js';
import type { TwinComponentFactory } from '../../infra/local/context.js';
import { dynamoDbClient } from '../../infra/local/dynamodb.js';
import { EVENTS_HTTP_PATH } from '../../infra/local/events/constants.js';
import { METRICS_CAPTURE_PATH } from '../../infra/local/metrics-capture.js';
import { startTwin, type Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { subscribeToTurn } from '../helpers/chat-stream.js';
import { sharedBackingServices } from '../helpers/services.js';

const START_CHAT = /* GraphQL */ `
  mutation Start($input: StartChatInput!) {
    startChat(input: $input) { requestId conversationId channel status }
  }
`;
const MY_USAGE = /* GraphQL */ `query { myUsage { day { requests spentUsd reservedUsd outputTokens } } }`;

interface DayUsage {
  requests: number;
  spentUsd: number;
  reservedUsd: number;
  outputTokens: number;
}

/** A JWKS endpoint standing in for the user pool's, whose keys a test rotates (cognito-local's never change). */
async function rotatableJwks(initial: object[]) {
  let keys = initial;
  let reachable = true;
  const server: Server = createServer((req, res) => {
    if (!reachable) return req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    setKeys: (next: object[]) => (keys = next),
    setReachable: (value: boolean) => (reachable = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A new RSA signing key as the pool would publish it, with its key id. */
function newSigningKey(kid: string): { kid: string; privateKey: KeyObject; jwk: object } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

function signJwt(payload: Record<string, unknown>, key: { kid: string; privateKey: KeyObject }): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${encode(payload)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key.privateKey).toString('base64url')}`;
}

/** Answers every HTTP publish (`POST /event`) with AppSync's 503 while armed: the Events API refusing. */
function refusingPublishes() {
  let armed = false;
  let refused = 0;
  const component: TwinComponentFactory = () => ({
    name: 'refusing-publishes',
    handleRequest(req, res) {
      if (!armed || req.method !== 'POST' || (req.url ?? '').split('?')[0] !== EVENTS_HTTP_PATH) return false;
      refused++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
      res.end(JSON.stringify({ errors: [{ errorType: 'ServiceUnavailableException', message: 'Service unavailable' }] }));
      return true;
    },
  });
  return { component, arm: () => (armed = true), disarm: () => (armed = false), refused: () => refused };
}

describe('dependency faults: what the user sees, what is billed, what is logged, and recovery', () => {
  let twin: Twin;
  let jwks: Awaited<ReturnType<typeof rotatableJwks>>;
  let ddb: DynamoDBClient;
  const twinLog: string[] = [];
  const refusing = refusingPublishes();
  let sub: string;
  let accessToken: string;
  let conversationCounter = 0;
  const newConversationId = () => `conv-fault-${Date.now().toString(36)}-${++conversationCounter}`;
  const client = () => generateClient();
  const start = async (conversationId: string, prompt: string) =>
    ((await client().graphql({ query: START_CHAT, variables: { input: { modelId: 'sluice.simulator', conversationId, prompt, maxTokens: 200 } } })) as {
      data: { startChat: { requestId: string } };
    }).data.startChat;
  const usage = async () => ((await client().graphql({ query: MY_USAGE })) as { data: { myUsage: { day: DayUsage } } }).data.myUsage.day;
  /** One turn, start to its final event. */
  async function turn(prompt: string) {
    const conversationId = newConversationId();
    const stream = await subscribeToTurn(`/chat/${sub}/${conversationId}`);
    const { requestId } = await start(conversationId, prompt);
    const collected = await stream.until((t) => t.final !== undefined, 60_000);
    await twin.context.lambda.drain();
    return { requestId, conversationId, ...collected };
  }

  beforeAll(async () => {
    const shared = sharedBackingServices();
    // The pool's own keys first, so tokens cognito-local signs verify as usual.
    const poolKeys = ((await (await fetch(shared.cognito.jwksUri)).json()) as { keys: object[] }).keys;
    jwks = await rotatableJwks(poolKeys);
    twin = await startTwin({
      port: 0,
      tablePrefix: `t${randomBytes(4).toString('hex')}-`,
      asyncRetryDelaysMs: [50, 100],
      bedrockSpeed: 10,
      components: [refusing.component, ...defaultComponents],
      log: (line) => twinLog.push(line),
      services: { ...shared, cognito: { ...shared.cognito, jwksUri: jwks.uri } },
    });
    configureAmplify(twin);
    ddb = dynamoDbClient(twin.context.dynamodb.endpoint);
    ({ sub, accessToken } = await signInAs(DEMO_USERS[1]));
  }, 120_000);
  afterAll(async () => {
    ddb?.destroy();
    await twin?.close();
    await jwks?.close();
  });

  it('Bedrock throttling every call: the stream ends Throttled (retryable), nothing is billed, and turns stream again once it stops', async () => {
    const before = await usage();
    // Act: a minute of throttling (the window is configurable: stopped early below).
    twin.bedrock.throttleEveryCall(60_000);
    let throttled: Awaited<ReturnType<typeof turn>>;
    try {
      throttled = await turn('While Bedrock throttles [[sim:tokens=10]]');
    } finally {
      twin.bedrock.throttleEveryCall(0);
    }
    // Assess: what the user sees.
    expect(throttled.final).toMatchObject({ type: 'error', code: 'Throttled', retryable: true });
    expect(throttled.text).toBe('');
    // What is billed: nothing was produced, so nothing is spent, and the reservation is released.
    const during = await usage();
    expect(during.spentUsd).toBe(before.spentUsd);
    expect(during.reservedUsd).toBe(0);
    // What is logged and recorded: the turn failed with the dependency's code.
    const { Item } = await ddb.send(new GetItemCommand({ TableName: twin.context.dynamodb.tableName('ChatRequests'), Key: { requestId: { S: throttled.requestId } }, ConsistentRead: true }));
    expect(unmarshall(Item!)).toMatchObject({ status: 'failed', errorCode: 'Throttled' });
    const warning = twinLog.find((l) => l.startsWith('[chatStream] {') && l.includes('chat turn failed') && l.includes(throttled.requestId));
    expect(JSON.parse(warning!.replace(/^\[chatStream\] /, ''))).toMatchObject({ level: 'WARN', errorCode: 'Throttled' });

    // Recovery: a short window ends by itself, and the next turn streams and is billed.
    twin.bedrock.throttleEveryCall(500);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const recovered = await turn('After the throttling [[sim:tokens=10]]');
    expect(recovered.final).toMatchObject({ type: 'end', usage: { outputTokens: 10 } });
    const after = await usage();
    expect(after.spentUsd).toBeCloseTo(before.spentUsd + (recovered.final as EndEvent).costUsd, 9);
  }, 120_000);

  it('the Events publish endpoint refusing: the turn ends undelivered, its answer is stored and billed, the cause is logged and counted, and the next turn is delivered', async () => {
    const before = await usage();
    refusing.arm();
    let requestId: string;
    const conversationId = newConversationId();
    try {
      ({ requestId } = await start(conversationId, 'Nobody hears this [[sim:tokens=12]]'));
      await twin.context.lambda.drain();
    } finally {
      refusing.disarm();
    }
    // Assess: the record says undelivered, not completed.
    expect(refusing.refused()).toBeGreaterThan(0);
    const { Item } = await ddb.send(new GetItemCommand({ TableName: twin.context.dynamodb.tableName('ChatRequests'), Key: { requestId: { S: requestId } }, ConsistentRead: true }));
    const record = unmarshall(Item!);
    expect(record).toMatchObject({ status: 'undelivered', streamDelivered: false, errorCode: 'StreamNotDelivered' });
    expect(record.streamError).toMatch(/503|ServiceUnavailable/);
    // Billed for the answer the model produced (stored: the client recovers it from history).
    const after = await usage();
    expect(after.outputTokens).toBe(before.outputTokens + 12);
    expect(after.spentUsd).toBeGreaterThan(before.spentUsd);
    expect(after.reservedUsd).toBe(0);
    // Logged as an error with the cause, and counted as an undelivered stream.
    const line = twinLog.find((l) => l.startsWith('[chatStream] {') && l.includes('chat stream not delivered') && l.includes(requestId));
    expect(JSON.parse(line!.replace(/^\[chatStream\] /, ''))).toMatchObject({ level: 'ERROR', cause: expect.stringMatching(/503|ServiceUnavailable/) });
    const captured = (await (await fetch(`${twin.url}${METRICS_CAPTURE_PATH}?windowMinutes=15`)).json()) as Record<string, unknown>[];
    expect(captured.find((r) => r.requestId === requestId && MetricName.UndeliveredStreams in r)).toMatchObject({ UndeliveredStreams: 1 });
    // Recovery: the next turn is delivered.
    const next = await turn('Heard again [[sim:tokens=5]]');
    expect(next.final?.type).toBe('end');
  }, 120_000);

  it('Cognito rotating its signing keys: a token of the new key verifies once the key cache refreshes; one of a removed key is refused with 401, never a 500', async () => {
    const models = (authorization: string) =>
      fetch(`${twin.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: '{ models { id } }' }) });
    // Prepare: the pool-signed token works.
    expect((await models(accessToken)).status).toBe(200);
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    const rotated = newSigningKey('rotated-key-1');

    // Act 1: the pool rotates: the new key is published and the old one withdrawn.
    jwks.setKeys([rotated.jwk]);
    const fresh = await models(signJwt(claims, rotated));
    // Assess: the new key's token verifies (an unknown key id refetches the JWKS).
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as { data: { models: unknown[] } }).data.models.length).toBeGreaterThan(0);
    // The old key's token is refused as unauthorized, not a server error.
    const stale = await models(accessToken);
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ errors: [{ errorType: 'UnauthorizedException' }] });

    // Act 2: the JWKS cannot be fetched while a token names a key the twin does not hold.
    jwks.setReachable(false);
    const unknownKey = await models(signJwt(claims, newSigningKey('rotated-key-2')));
    expect(unknownKey.status).toBe(401);
    // Recovery: the endpoint is back; tokens of the published key still verify.
    jwks.setReachable(true);
    expect((await models(signJwt(claims, rotated))).status).toBe(200);
  }, 60_000);
});
