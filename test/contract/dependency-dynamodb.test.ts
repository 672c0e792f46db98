/**
 * DynamoDB unreachable for a few seconds: DynamoDB Local (its own Java process, with its
 * data on disk, as `npm start` runs it) is stopped mid-run and started again on the same
 * port. Callers get a retryable dependency error and nothing is admitted or billed while
 * it is down; a turn already streaming still settles once; the same twin serves again
 * once DynamoDB is back, without a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateClient } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndEvent } from '../../schema/stream-protocol.js';
import { startDynamoDbLocal, type LocalDynamoDb } from '../../infra/local/dynamodb.js';
import { freePort } from '../../infra/local/ports.js';
import { startTwin, type Twin } from '../../infra/local/twin.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { subscribeToTurn } from '../helpers/chat-stream.js';
import { graphqlFailure } from '../helpers/graphql.js';
import { sharedBackingServices } from '../helpers/services.js';

const START_CHAT = /* GraphQL */ `
  mutation Start($input: StartChatInput!) {
    startChat(input: $input) { requestId conversationId channel status }
  }
`;
const CONVERSATIONS = /* GraphQL */ `query { conversations { items { id } } }`;
const MY_USAGE = /* GraphQL */ `query { myUsage { day { requests spentUsd reservedUsd inputTokens outputTokens } } }`;
const CONVERSATION = /* GraphQL */ `
  query One($id: ID!) { conversation(id: $id) { id messages { items { role status text } } } }
`;

interface DayUsage {
  requests: number;
  spentUsd: number;
  reservedUsd: number;
  inputTokens: number;
  outputTokens: number;
}

describe('DynamoDB unreachable for a few seconds, then back', () => {
  let dataDir: string;
  let port: number;
  let dynamodb: LocalDynamoDb | undefined;
  let twin: Twin;
  const twinLog: string[] = [];
  let sub: string;
  let conversationCounter = 0;
  const newConversationId = () => `conv-ddb-${Date.now().toString(36)}-${++conversationCounter}`;
  const client = () => generateClient();
  const start = (conversationId: string, prompt: string) =>
    client().graphql({ query: START_CHAT, variables: { input: { modelId: 'sluice.simulator', conversationId, prompt, maxTokens: 200 } } });
  const usage = async () => ((await client().graphql({ query: MY_USAGE })) as { data: { myUsage: { day: DayUsage } } }).data.myUsage.day;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluice-ddb-outage-'));
    port = await freePort();
    dynamodb = await startDynamoDbLocal({ dbPath: dataDir, port });
    twin = await startTwin({
      port: 0,
      tablePrefix: `t${randomBytes(4).toString('hex')}-`,
      asyncRetryDelaysMs: [50, 100],
      log: (line) => twinLog.push(line),
      services: { ...sharedBackingServices(), dynamodb },
    });
    configureAmplify(twin);
    ({ sub } = await signInAs(DEMO_USERS[0]));
  }, 120_000);
  afterAll(async () => {
    await twin?.close();
    await dynamodb?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers ServiceUnavailable (retryable) while it is down, admits and bills nothing, logs why, and serves again once it is back', async () => {
    // Prepare: one turn before the outage.
    const before = newConversationId();
    const stream = await subscribeToTurn(`/chat/${sub}/${before}`);
    await start(before, 'Before the outage [[sim:tokens=10]]');
    const beforeEnd = (await stream.until((t) => t.final !== undefined)).final as EndEvent;
    expect(beforeEnd.type).toBe('end');
    await twin.context.lambda.drain();
    const usageBefore = await usage();

    // Act: DynamoDB goes away.
    await dynamodb!.stop();
    const refusedConversation = newConversationId();
    const asked = Date.now();
    const admission = await graphqlFailure(start(refusedConversation, 'During the outage [[sim:tokens=10]]'));
    const admissionMs = Date.now() - asked;
    const read = await graphqlFailure(client().graphql({ query: CONVERSATIONS }));

    // Assess: a dependency's failure, retryable, promptly; neither the caller's mistake nor our bug.
    expect(admission.errors[0]).toMatchObject({ errorType: 'ServiceUnavailable', errorInfo: { retryable: true } });
    expect(admission.errors[0].message).toMatch(/unavailable; try again/);
    expect(admissionMs).toBeLessThan(15_000);
    expect(read.errors[0]).toMatchObject({ errorType: 'ServiceUnavailable', errorInfo: { retryable: true } });
    // Logged as errors an operator sees, with the dependency named.
    expect(twinLog.some((l) => l.startsWith('[gatewayApi] ') && /"level":"ERROR".*"errorType":"ServiceUnavailable"/.test(l))).toBe(true);
    expect(twinLog.some((l) => l.startsWith('[graphql] Query.conversations ') && l.includes('DynamoDB:ServiceUnavailable'))).toBe(true);

    // DynamoDB comes back on the same port with the same data: the same twin serves again.
    dynamodb = await startDynamoDbLocal({ dbPath: dataDir, port });
    const after = newConversationId();
    const afterStream = await subscribeToTurn(`/chat/${sub}/${after}`);
    await start(after, 'After the outage [[sim:tokens=10]]');
    const afterEnd = (await afterStream.until((t) => t.final !== undefined)).final as EndEvent;
    expect(afterEnd.type).toBe('end');
    await twin.context.lambda.drain();
    const ids = ((await client().graphql({ query: CONVERSATIONS })) as { data: { conversations: { items: { id: string }[] } } }).data.conversations.items.map(
      (c) => c.id,
    );
    expect(ids).toEqual(expect.arrayContaining([before, after]));
    // The refused turn left nothing: no conversation, no request, no spend.
    expect(ids).not.toContain(refusedConversation);
    const usageAfter = await usage();
    expect(usageAfter.requests).toBe(usageBefore.requests + 1);
    expect(usageAfter.spentUsd).toBeCloseTo(usageBefore.spentUsd + afterEnd.costUsd, 9);
    expect(usageAfter.reservedUsd).toBe(0);
    // DynamoDB Local's Java restart alone took up to 16 s on a loaded 2-core machine.
  }, 180_000);

  it('settles a turn that was streaming when DynamoDB went away for three seconds, exactly once', async () => {
    // Prepare: a turn of 40 tokens at 10 a second, so it is still streaming during the outage.
    const usageBefore = await usage();
    const conversationId = newConversationId();
    const stream = await subscribeToTurn(`/chat/${sub}/${conversationId}`);
    await start(conversationId, 'Streaming through an outage [[sim:tokens=40]] [[sim:tps=10]]');
    await stream.until((t) => t.text.length > 0);

    // Act: DynamoDB is away for three seconds, mid-stream.
    await dynamodb!.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // (DynamoDB Local's Java start adds seconds, 16 s on a loaded 2-core machine.)
    dynamodb = await startDynamoDbLocal({ dbPath: dataDir, port });
    const collected = await stream.until((t) => t.final !== undefined, 90_000);
    await twin.context.lambda.drain();

    // Assess: the user got the whole answer, and it is stored and billed once.
    const end = collected.final as EndEvent;
    expect(end).toMatchObject({ type: 'end', usage: { outputTokens: 40 } });
    const conversation = ((await client().graphql({ query: CONVERSATION, variables: { id: conversationId } })) as {
      data: { conversation: { messages: { items: { role: string; status: string; text: string }[] } } };
    }).data.conversation;
    expect(conversation.messages.items[1]).toMatchObject({ role: 'ASSISTANT', status: 'COMPLETE', text: collected.text });
    const usageAfter = await usage();
    expect(usageAfter.requests).toBe(usageBefore.requests + 1);
    expect(usageAfter.outputTokens).toBe(usageBefore.outputTokens + 40);
    expect(usageAfter.spentUsd).toBeCloseTo(usageBefore.spentUsd + end.costUsd, 9);
    expect(usageAfter.reservedUsd).toBe(0);
  }, 180_000);
});
