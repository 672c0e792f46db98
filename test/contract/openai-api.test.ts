/**
 * Issue 16: the OpenAI-compatible API, through the unmodified `openai` npm client against
 * the twin's HTTPS port, where the function runs in its own execution environment (function
 * URL, response streaming). Keys are created through GraphQL as a signed-in user would; the
 * ledger, conversations and audit are read back through GraphQL and DynamoDB Local.
 */
import { createHash } from 'node:crypto';
import { QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costMicros, estimateInputTokens, microsToUsd, worstCaseMicros } from '../../functions/shared/pricing.js';
import { findModel, SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { simulate as simulateWith } from '../../infra/local/bedrock/simulator.js';
import { dynamoDbClient } from '../../infra/local/dynamodb.js';
import type { Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { gql, graphql, type ResultOf } from '../helpers/graphql.js';
import { startTestTwin } from '../helpers/twin.js';
import { secretOf } from '../helpers/api-key-token.js';

const [ALICE, BOB, ADMIN] = DEMO_USERS;
const OPUS = 'anthropic.claude-opus-4-1-20250805-v1:0';
const SIMULATOR = findModel(SIMULATOR_MODEL_ID)!;
/** What the twin's Bedrock answers (the simulator model is registered as the twin registers it). */
const simulate = (input: Parameters<typeof simulateWith>[0]) => simulateWith(input, { models: { [SIMULATOR_MODEL_ID]: {} } });

const CREATE_KEY = gql(`
  mutation Create($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret key { id name prefix active dailyLimitUsd } } }
`);
const REVOKE_KEY = gql(`mutation Revoke($keyId: ID!) { revokeApiKey(keyId: $keyId) { id active revokedAt } }`);
const MY_KEYS = gql(`query MyKeys { myApiKeys { id name prefix active usedTodayUsd } }`);
const ADMIN_KEYS = gql(`query Keys($userId: ID!) { apiKeys(userId: $userId) { id userId active } }`);
const ADMIN_REVOKE = gql(`mutation AdminRevoke($userId: ID!, $keyId: ID!) { adminRevokeApiKey(userId: $userId, keyId: $keyId) { id active } }`);
const AUDIT = gql(`query Audit { auditLog(limit: 20) { items { action actor target details } } }`);
const SET_OVERRIDE = gql(`
  mutation Set($userId: ID!, $input: BudgetOverrideInput!) { setBudgetOverride(userId: $userId, input: $input) { userId } }
`);
const USAGE_BY_USER = gql(`
  query Report($from: AWSDate!, $to: AWSDate!) { usageReport(from: $from, to: $to, groupBy: USER) { rows { userId requests costUsd apiRequests apiCostUsd } } }
`);
const MY_USAGE = gql(`query MyUsage { myUsage { day { spentUsd reservedUsd requests } } }`);
const CONVERSATIONS = gql(`
  query Conversations { conversations(limit: 100) { items { id kind messages { items { role text status requestId costUsd usage { inputTokens outputTokens } } } } } }
`);

type Conversation = ResultOf<typeof CONVERSATIONS>['conversations']['items'][number];
type StoredMessage = Conversation['messages']['items'][number];

const conversations = async () => (await graphql(CONVERSATIONS)).conversations.items;
const myDay = async () => (await graphql(MY_USAGE)).myUsage.day;
/** The request id the gateway gave a completion (`chatcmpl-<requestId>`). */
const requestIdOf = (completionId: string) => completionId.replace(/^chatcmpl-/, '');

async function answerOf(requestId: string, timeoutMs = 15_000): Promise<{ conversation: Conversation; answer: StoredMessage }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const conversation of await conversations()) {
      const answer = conversation.messages.items.find((m) => m.requestId === requestId && m.role === 'ASSISTANT');
      if (answer) return { conversation, answer };
    }
    if (Date.now() > deadline) throw new Error(`No stored answer for ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function failure(call: Promise<unknown>): Promise<APIError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
  return error;
}

describe('the OpenAI-compatible API (openai npm client → twin function URL → Lambda environment)', () => {
  let twin: Twin;
  let aliceSub: string;
  let bobSub: string;
  let aliceToken: string;
  let aliceKey: string;
  const client = (apiKey: string, options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
    new OpenAI({ apiKey, baseURL: `${twin.url}/v1`, maxRetries: 0, ...options });

  beforeAll(async () => {
    twin = await startTestTwin({ bedrockSpeed: 10, ...(process.env.SLUICE_TEST_LOG ? { log: console.log } : {}) });
    configureAmplify(twin);
    ({ sub: bobSub } = await signInAs(BOB));
    ({ sub: aliceSub, accessToken: aliceToken } = await signInAs(ALICE));
    const created = await graphql(CREATE_KEY, { input: { name: 'contract tests' } });
    aliceKey = created.createApiKey!.secret;
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('lists the models the key owner may use', async () => {
    const models = [];
    for await (const model of client(aliceKey).models.list()) models.push(model.id);
    expect(models).toContain(SIMULATOR_MODEL_ID);
    expect(models).not.toContain(OPUS);
  });

  it('accepts a Cognito access token as the bearer too', async () => {
    const page = await client(aliceToken).models.list();
    expect(page.data.map((m) => m.id)).toContain(SIMULATOR_MODEL_ID);
    expect((await failure(client('not-a-token').models.list())).status).toBe(401);
  });

  it('answers a non-streamed completion with the simulator\'s text and usage, and the rate-limit headers', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Name three rivers [[sim:tokens=12]]' },
    ];
    const { data: completion, response } = await client(aliceKey).chat.completions.create({ model: SIMULATOR_MODEL_ID, messages, max_tokens: 50 }).withResponse();
    const expected = simulate({
      modelId: SIMULATOR_MODEL_ID,
      system: [{ text: 'You are terse.' }],
      messages: [{ role: 'user', content: [{ text: 'Name three rivers [[sim:tokens=12]]' }] }],
      inferenceConfig: { maxTokens: 50 },
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content).toBe(expected.text);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: expected.usage.inputTokens, completion_tokens: 12, total_tokens: expected.usage.inputTokens + 12 });
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10');
    expect(Number(response.headers.get('x-ratelimit-remaining-requests'))).toBeLessThan(10);
    expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?s$/);
    expect(Number(response.headers.get('x-sluice-budget-remaining-usd'))).toBeLessThan(2);
  });

  it('streams chunks whose deltas equal the stored answer, with the simulator\'s usage; the turn is an API conversation', async () => {
    const prompt = 'Tell me about estuaries [[sim:tokens=60]]';
    const stream = await client(aliceKey).chat.completions.create({
      model: SIMULATOR_MODEL_ID,
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi there.' },
        { role: 'user', content: prompt },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 100,
    });
    let text = '';
    let id = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null = null;
    let chunks = 0;
    for await (const chunk of stream) {
      id = chunk.id;
      chunks += 1;
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    const expected = simulate({
      modelId: SIMULATOR_MODEL_ID,
      messages: [
        { role: 'user', content: [{ text: 'Hello' }] },
        { role: 'assistant', content: [{ text: 'Hi there.' }] },
        { role: 'user', content: [{ text: prompt }] },
      ],
      inferenceConfig: { maxTokens: 100 },
    });
    expect(text).toBe(expected.text);
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: expected.usage.inputTokens, completion_tokens: expected.usage.outputTokens });

    const { conversation, answer } = await answerOf(requestIdOf(id));
    expect(answer.text).toBe(text);
    expect(answer.status).toBe('COMPLETE');
    expect(answer.usage).toMatchObject({ inputTokens: expected.usage.inputTokens, outputTokens: expected.usage.outputTokens });
    expect(answer.costUsd).toBe(microsToUsd(costMicros(SIMULATOR, { inputTokens: expected.usage.inputTokens, outputTokens: expected.usage.outputTokens })));
    expect(conversation.kind).toBe('API');
    expect(conversation.messages.items.find((m) => m.role === 'USER')?.text).toBe(prompt);
  });

  it('refuses a model the group may not use with 403', async () => {
    const error = await failure(client(aliceKey).chat.completions.create({ model: OPUS, messages: [{ role: 'user', content: 'Hi' }] }));
    expect(error.status).toBe(403);
    expect(error.code).toBe('model_not_allowed');
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const before = await myDay();
    const conversationsBefore = (await conversations()).length;
    const bad = [
      { model: SIMULATOR_MODEL_ID, messages: [] },
      { model: SIMULATOR_MODEL_ID, messages: [{ role: 'assistant', content: 'no user turn' }] },
      { model: SIMULATOR_MODEL_ID, messages: [{ role: 'user', content: 'Hi' }], max_tokens: -1 },
      { model: SIMULATOR_MODEL_ID, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1_000_000 },
      { model: SIMULATOR_MODEL_ID, messages: [{ role: 'user', content: 'Hi' }], temperature: 7 },
      { model: SIMULATOR_MODEL_ID, messages: [{ role: 'tool', content: 'x', tool_call_id: 'a' }] },
    ];
    for (const body of bad) {
      const error = await failure(client(aliceKey).chat.completions.create(body as never));
      expect(error.status, JSON.stringify(body)).toBe(400);
      expect(error.type).toBe('invalid_request_error');
    }
    const raw = await fetch(`${twin.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${aliceKey}`, 'content-type': 'application/json' }, body: '{not json' });
    expect(raw.status).toBe(400);
    expect(await myDay()).toEqual(before);
    expect((await conversations()).length).toBe(conversationsBefore);
  });

  it('stops the model call when the client aborts mid-stream and bills only what was produced', async () => {
    const prompt = 'A long essay please [[sim:tokens=2000]] [[sim:tps=20]]';
    const full = simulate({ modelId: SIMULATOR_MODEL_ID, messages: [{ role: 'user', content: [{ text: prompt }] }], inferenceConfig: { maxTokens: 2000 } });
    const abort = new AbortController();
    const stream = await client(aliceKey).chat.completions.create(
      { model: SIMULATOR_MODEL_ID, messages: [{ role: 'user', content: prompt }], stream: true, max_tokens: 2000 },
      { signal: abort.signal },
    );
    let id = '';
    let received = '';
    const aborted = (async () => {
      for await (const chunk of stream) {
        id = chunk.id;
        received += chunk.choices[0]?.delta?.content ?? '';
        if (received.length > 40) abort.abort();
      }
    })();
    // The SDK ends the iteration (or throws an abort error) once its signal fires.
    await aborted.catch(() => undefined);
    expect(abort.signal.aborted).toBe(true);
    const abortedAt = Date.now();
    const { answer } = await answerOf(requestIdOf(id));
    // 2,000 tokens at 20/s (sped up 10×) would take about 10 s more: the model stream stopped well before.
    expect(Date.now() - abortedAt).toBeLessThan(6_000);
    expect(answer.status).toBe('CANCELLED');
    expect(full.text.startsWith(answer.text)).toBe(true);
    expect(answer.text.length).toBeGreaterThanOrEqual(received.length);
    expect(answer.text.length).toBeLessThan(full.text.length / 2);
    expect(answer.usage!.outputTokens).toBeLessThan(1000);
    expect(answer.costUsd).toBeLessThan(microsToUsd(costMicros(SIMULATOR, { inputTokens: full.usage.inputTokens, outputTokens: 1000 })));
    // Nothing stays reserved once the cancelled turn settled.
    expect((await myDay()).reservedUsd).toBe(0);
  });

  it('revoking a key takes effect on the next request (401); the stored key item holds no secret', async () => {
    const created = await graphql(CREATE_KEY, { input: { name: 'short-lived' } });
    const { secret, key } = created.createApiKey!;
    expect(secret.startsWith(`${key.prefix}_`)).toBe(true);
    const laptop = client(secret);
    expect((await laptop.models.list()).data.length).toBeGreaterThan(0);

    const db = dynamoDbClient(twin.context.dynamodb.endpoint);
    const { Items } = await db.send(
      new QueryCommand({
        TableName: twin.context.dynamodb.tableName('Budgets'),
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': { S: `USER#${aliceSub}` }, ':sk': { S: `APIKEY#${key.id}` } },
      }),
    );
    const scan = await db.send(new ScanCommand({ TableName: twin.context.dynamodb.tableName('Budgets') }));
    db.destroy();
    expect(Items).toHaveLength(1);
    const stored = unmarshall(Items![0]!);
    expect(stored.secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
    const secretPart = secretOf(secret);
    for (const item of scan.Items ?? []) expect(JSON.stringify(unmarshall(item))).not.toContain(secretPart);

    await graphql(REVOKE_KEY, { keyId: key.id });
    const error = await failure(laptop.models.list());
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/revoked/);
    expect((await failure(laptop.chat.completions.create({ model: SIMULATOR_MODEL_ID, messages: [{ role: 'user', content: 'Hi' }] }))).status).toBe(401);
    const keys = (await graphql(MY_KEYS)).myApiKeys;
    expect(keys.find((k) => k.id === key.id)?.active).toBe(false);
  });

  it('an admin lists and revokes another user\'s key, and the audit log has it', async () => {
    await signInAs(BOB);
    const bobKey = (await graphql(CREATE_KEY, { input: { name: 'bob laptop' } })).createApiKey!;
    await signInAs(ADMIN);
    const listed = (await graphql(ADMIN_KEYS, { userId: bobSub })).apiKeys!;
    expect(listed.map((k) => k.id)).toContain(bobKey.key.id);
    expect((await graphql(ADMIN_REVOKE, { userId: bobSub, keyId: bobKey.key.id })).adminRevokeApiKey!.active).toBe(false);
    const audit = (await graphql(AUDIT)).auditLog!.items;
    const entry = audit.find((e) => e.action === 'RevokeApiKey' && e.target === bobSub);
    expect(entry).toBeDefined();
    expect(entry!.details).toContain(bobKey.key.id);
    expect(entry!.details).not.toContain(secretOf(bobKey.secret));
    expect((await failure(client(bobKey.secret).models.list())).status).toBe(401);
    await signInAs(ALICE);
  });

  it('an exhausted budget gets 429 with Retry-After, and nothing is billed', async () => {
    await signInAs(ADMIN);
    await graphql(SET_OVERRIDE, { userId: bobSub, input: { dailyLimitUsd: 0.000001, reason: 'openai-api 429' } });
    await signInAs(BOB);
    const bobKey = (await graphql(CREATE_KEY, { input: { name: 'bob budget' } })).createApiKey!.secret;
    const before = await myDay();
    const error = await failure(client(bobKey).chat.completions.create({ model: SIMULATOR_MODEL_ID, messages: [{ role: 'user', content: 'Hi' }] }));
    expect(error.status).toBe(429);
    expect(error.code).toBe('budget_exceeded');
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(error.headers?.get('x-ratelimit-limit-requests')).toBe('10');
    const after = await myDay();
    expect(after).toEqual(before);
    expect(after.spentUsd).toBe(0);
    expect(await conversations()).toEqual([]);
    await signInAs(ALICE);
  });

  it('a key\'s own budget holds under 50 concurrent requests', async () => {
    const prompt = 'Budgeted [[sim:tokens=200]] [[sim:tps=100]]';
    const maxTokens = 200;
    const worstCase = worstCaseMicros(SIMULATOR, estimateInputTokens([prompt]), maxTokens);
    const admittable = 5;
    await signInAs(ADMIN);
    // Only the key's budget may refuse: the user's rate and open-turn limits are far above 50.
    await graphql(SET_OVERRIDE, { userId: aliceSub, input: { requestsPerMinute: 1000, dailyLimitUsd: 100, reason: 'openai-api key budget' } });
    await signInAs(ALICE);
    const limited = (await graphql(CREATE_KEY, {
      input: { name: 'budgeted', dailyLimitUsd: microsToUsd(admittable * worstCase) },
    })).createApiKey!;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        client(limited.secret)
          .chat.completions.create({ model: SIMULATOR_MODEL_ID, messages: [{ role: 'user', content: prompt }], max_tokens: maxTokens })
          .then(
            () => 'ok' as const,
            (e: unknown) => (e instanceof APIError ? `${e.status} ${e.code}` : String(e)),
          ),
      ),
    );
    const admitted = results.filter((r) => r === 'ok').length;
    const keyRefusals = results.filter((r) => r === '429 key_budget_exceeded').length;
    const otherRefusals = results.filter((r) => r !== 'ok' && r !== '429 key_budget_exceeded');
    // 32 open turns per user is the ledger's own cap; those beyond it are refused as rate-limited.
    expect(otherRefusals.every((r) => r === '429 rate_limit_exceeded'), otherRefusals.join(', ')).toBe(true);
    expect(admitted).toBe(admittable);
    expect(keyRefusals).toBeGreaterThan(0);
    const keys = (await graphql(MY_KEYS)).myApiKeys;
    const used = keys.find((k) => k.id === limited.key.id)!.usedTodayUsd;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(limited.key.dailyLimitUsd!);
  }, 120_000);

  it('the cost report splits spend by way in: every turn of this suite came through the API', async () => {
    await signInAs(ADMIN);
    const today = new Date().toISOString().slice(0, 10);
    const rows = (await graphql(USAGE_BY_USER, { from: today, to: today })).usageReport!.rows;
    const alice = rows.find((row) => row.userId === aliceSub)!;
    expect(alice.apiRequests).toBeGreaterThan(5);
    expect(alice.apiRequests).toBe(alice.requests);
    expect(alice.apiCostUsd).toBe(alice.costUsd);
    await signInAs(ALICE);
  });
});
