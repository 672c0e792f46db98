/**
 * A function environment that crashes mid-stream, on the twin: the streaming function's
 * process is killed with SIGKILL while it streams; the twin answers the invocation as
 * Lambda does (Runtime.ExitError) and its event queue retries the event with the same
 * request id. The retry finds its own dead attempt's claim and ends the turn from the
 * checkpoint: the model is not called again, the subscriber gets `error` TurnInterrupted,
 * the answer so far is kept as incomplete, and the reserve is released.
 */
import { execFileSync } from 'node:child_process';
import { generateClient } from 'aws-amplify/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Twin } from '../../infra/local/twin.js';
import type { ErrorEvent } from '../../schema/stream-protocol.js';
import { configureAmplify, DEMO_USERS, signInAs } from '../helpers/amplify.js';
import { subscribeToTurn } from '../helpers/chat-stream.js';
import { gql, graphql } from '../helpers/graphql.js';
import { startTestTwin } from '../helpers/twin.js';

const START_CHAT = /* GraphQL */ `mutation Start($input: StartChatInput!) { startChat(input: $input) { requestId } }`;
const CONVERSATION = gql(`query One($id: ID!) { conversation(id: $id) { messages { items { role text status costUsd } } } }`);
const MY_USAGE = gql(`query MyUsage { myUsage { day { reservedUsd spentUsd } } }`);
/** A checkpoint is written every 5 s of streaming. */
const STREAM_BEFORE_CRASH_IN_MS = 6_500;

/** The pids of this process's children running the `name` function's bundle (its execution environments). */
function environmentPids(name: string): number[] {
  const lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n');
  return lines.filter((line) => line.includes(`fn-${name}-`)).map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('a function environment that crashes mid-stream', () => {
  let twin: Twin;
  const log: string[] = [];
  /** ConverseStream calls the Bedrock simulator answered. */
  let modelCalls = 0;

  beforeAll(async () => {
    twin = await startTestTwin({ bedrockSpeed: 1, log: (line) => log.push(line), onBedrockConverseStream: () => void modelCalls++ });
    configureAmplify(twin);
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('ends the turn on the retry without calling the model again: error event, incomplete answer, reserve released', async () => {
    const { sub } = await signInAs(DEMO_USERS[0]);
    const conversationId = `crash-${Date.now().toString(36)}`;
    const stream = await subscribeToTurn(`/chat/${sub}/${conversationId}`);
    const prompt = 'A long one. [[sim:tokens=900]] [[sim:tps=25]]';
    await generateClient().graphql({ query: START_CHAT, variables: { input: { conversationId, newConversation: true, modelId: 'sluice.simulator', prompt, maxTokens: 1000 } } });
    await stream.until((turn) => turn.events.some((event) => event.type === 'delta'));
    await new Promise((resolve) => setTimeout(resolve, STREAM_BEFORE_CRASH_IN_MS));
    const modelCallsBefore = modelCalls;

    const pids = environmentPids('chatStream');
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');

    // The raw events: the error's seq follows the last checkpoint, so it may repeat a delta's.
    const deadline = Date.now() + 30_000;
    while (!stream.received.some((event) => event.type === 'error') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const error = stream.received.find((event): event is ErrorEvent => event.type === 'error');
    expect(error).toMatchObject({ code: 'TurnInterrupted', retryable: true });
    expect(log.some((line) => line.includes('Runtime.ExitError') || line.includes('Runtime exited'))).toBe(true);
    expect(modelCalls).toBe(modelCallsBefore);

    const conversation = (await graphql(CONVERSATION, { id: conversationId })).conversation!;
    expect(conversation.messages.items.map((m) => [m.role, m.status])).toEqual([
      ['USER', 'COMPLETE'],
      ['ASSISTANT', 'INCOMPLETE'],
    ]);
    const streamed = stream.received.flatMap((event) => (event.type === 'delta' ? [event] : [])).sort((a, b) => a.seq - b.seq).map((event) => event.text).join('');
    expect(conversation.messages.items[1].text.length).toBeGreaterThan(0);
    expect(streamed.startsWith(conversation.messages.items[1].text)).toBe(true);
    const { myUsage } = await graphql(MY_USAGE);
    expect(myUsage.day.reservedUsd).toBe(0);
    expect(myUsage.day.spentUsd).toBeCloseTo(conversation.messages.items[1].costUsd!, 6);
    await stream.close();
  }, 90_000);
});
