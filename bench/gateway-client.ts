/**
 * One chat turn through the whole gateway, as a browser tab runs it: a WebSocket to the
 * Events API (raw `aws-appsync-event-ws` protocol, Cognito auth), a subscription to the
 * conversation channel, then `startChat` over GraphQL with the user's access token.
 */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import type { StreamEvent } from '../schema/stream-protocol.js';
import type { Twin } from '../infra/local/twin.js';
import type { TurnDynamoDbCalls } from './dynamodb-calls.js';
import type { BenchUser } from './environment.js';
import type { ModelCallTimes } from './model-calls.js';
import type { ChannelTimes } from './publish-counter.js';
import { BENCH_MODEL_ID, checkAnswer, type TurnMeasurement, type TurnSpec } from './turn.js';

const START_CHAT = `mutation Start($input: StartChatInput!) { startChat(input: $input) { requestId channel status } }`;

interface Frame {
  type: string;
  id?: string;
  event?: unknown;
  errors?: unknown[];
}

/** A connected, subscribed client waiting to start its turn. */
export interface ReadyGatewayTurn {
  /** Starts the turn and resolves when its `end` or `error` arrives (or it times out). */
  run(): Promise<TurnMeasurement>;
  close(): void;
}

/**
 * Connects and subscribes for one turn; `run()` then starts it. Connecting is kept out of
 * the measured time, as a real client subscribes before it sends the prompt.
 * @example
 * const turn = await prepareGatewayTurn(twin, user, spec, {
 *   timeoutMs: 60_000,
 *   publishTimes: counter.timesOf,
 *   modelCallTimes: modelCalls.timesOf,
 *   dynamoDbCalls: dynamoDbCalls.timesOf,
 * });
 * const measurement = await turn.run();
 */
export async function prepareGatewayTurn(
  twin: Twin,
  user: BenchUser,
  spec: TurnSpec,
  options: {
    timeoutMs: number;
    publishTimes: (channel: string) => ChannelTimes;
    modelCallTimes: (prompt: string) => ModelCallTimes | undefined;
    /** The turn's DynamoDB round trips, by the requestId startChat answered. */
    dynamoDbCalls: (requestId: string) => TurnDynamoDbCalls;
  },
): Promise<ReadyGatewayTurn> {
  const { timeoutMs } = options;
  const authorization = { host: twin.context.host, Authorization: user.accessToken };
  const header = `header-${Buffer.from(JSON.stringify(authorization)).toString('base64url')}`;
  const socket = new WebSocket(`${twin.url.replace(/^https:/, 'wss:')}/event/realtime`, ['aws-appsync-event-ws', header]);
  const conversationId = `bench-${randomUUID()}`;
  const channel = `/chat/${user.sub}/${conversationId}`;
  const received: StreamEvent[] = [];
  let onEvent: () => void = () => undefined;
  let control: (frame: Frame) => void = () => undefined;
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Frame;
    if (frame.type === 'data') {
      received.push(parseEvent(frame.event));
      onEvent();
    } else control(frame);
  });
  const awaitFrame = (type: string) =>
    new Promise<Frame>((resolve, reject) => {
      control = (frame) => {
        if (frame.type === type) resolve(frame);
        else if (frame.type.endsWith('error')) reject(new Error(`${type} expected, got ${JSON.stringify(frame).slice(0, 300)}`));
      };
      socket.once('close', () => reject(new Error(`socket closed before ${type}`)));
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const ack = awaitFrame('connection_ack');
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await ack;
  const subscribed = awaitFrame('subscribe_success');
  socket.send(JSON.stringify({ type: 'subscribe', id: randomUUID(), channel, authorization }));
  await subscribed;

  return {
    close: () => socket.close(),
    async run(): Promise<TurnMeasurement> {
      const startedAt = performance.now();
      let mutationAt: number | undefined;
      let firstTokenAt: number | undefined;
      let finalAt: number | undefined;
      const ended = new Promise<void>((resolve) => {
        onEvent = () => {
          const latest = received[received.length - 1];
          if (latest.type === 'delta') firstTokenAt ??= performance.now();
          if (latest.type === 'end' || latest.type === 'error') {
            finalAt = performance.now();
            resolve();
          }
        };
      });
      let problem: string | undefined;
      let requestId: string | undefined;
      try {
        requestId = await startChat(twin, user, spec, conversationId);
        mutationAt = performance.now();
        const timedOut = await Promise.race([ended.then(() => false), sleep(timeoutMs).then(() => true)]);
        if (timedOut) problem = `no end event within ${timeoutMs} ms`;
      } catch (error) {
        const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
        problem = cause ? `${(error as Error).message} (${cause.code ?? cause.message})` : (error as Error).message;
      }
      const modelCall = options.modelCallTimes(spec.prompt);
      const dynamoDb = requestId === undefined ? {} : options.dynamoDbCalls(requestId);
      return measure(spec, received, {
        startedAt,
        mutationAt,
        modelCallReceivedAt: modelCall?.receivedAt,
        firstTokenSentAt: modelCall?.firstTokenSentAt,
        firstDeltaPublishedAt: options.publishTimes(channel).firstDeltaSentAt,
        firstTokenAt,
        finalAt,
        problem,
        dynamoDb,
      });
    },
  };
}

/** Attempts at connecting for one startChat: the AWS SDK's standard retry mode makes three. */
const CONNECT_ATTEMPTS = 3;

/**
 * POST /graphql, retried when the connection could not be made in time (undici gives up
 * after 10 s). Nothing was sent then, so a retry cannot start a turn twice; the AWS SDK
 * retries such transient connection errors the same way, and a browser waits longer
 * than 10 s for a connection anyway. The turn's clock keeps running across attempts.
 */
async function postWithConnectRetry(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const code = ((error as Error).cause as { code?: string } | undefined)?.code;
      if (code !== 'UND_ERR_CONNECT_TIMEOUT' || attempt >= CONNECT_ATTEMPTS) throw error;
    }
  }
}

/** Starts the turn; resolves to its requestId. */
async function startChat(twin: Twin, user: BenchUser, spec: TurnSpec, conversationId: string): Promise<string> {
  const response = await postWithConnectRetry(`${twin.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: user.accessToken },
    // Every bench turn opens its conversation, as a chat client's first turn does (newConversation: no history read).
    body: JSON.stringify({ query: START_CHAT, variables: { input: { conversationId, newConversation: true, modelId: BENCH_MODEL_ID, prompt: spec.prompt, maxTokens: spec.maxTokens } } }),
  });
  const body = (await response.json()) as { data?: { startChat?: { requestId?: string; status?: string } }; errors?: { errorType?: string; message?: string }[] };
  const requestId = body.data?.startChat?.requestId;
  if (!response.ok || body.errors?.length || !requestId) {
    const error = body.errors?.[0];
    throw new Error(`startChat failed (${response.status}): ${error?.errorType ?? ''} ${error?.message ?? JSON.stringify(body).slice(0, 300)}`);
  }
  return requestId;
}

function measure(
  spec: TurnSpec,
  received: StreamEvent[],
  times: {
    startedAt: number;
    mutationAt?: number;
    modelCallReceivedAt?: number;
    firstTokenSentAt?: number;
    firstDeltaPublishedAt?: number;
    firstTokenAt?: number;
    finalAt?: number;
    problem?: string;
    dynamoDb: TurnDynamoDbCalls;
  },
): TurnMeasurement {
  const bySeq = new Map<number, StreamEvent>();
  for (const event of received) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
  const ordered = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const final = ordered.find((e) => e.type === 'end' || e.type === 'error');
  const lastSeq = final?.seq ?? ordered[ordered.length - 1]?.seq ?? -1;
  const gaps = lastSeq + 1 - ordered.filter((e) => e.seq <= lastSeq).length;
  const text = ordered.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
  const outputTokens = final?.type === 'end' ? final.usage.outputTokens : 0;
  let problem = times.problem;
  if (!problem && final?.type === 'error') problem = `error event ${final.code}: ${final.message}`;
  if (!problem && ordered[0]?.type !== 'start') problem = 'the first event is not start';
  if (!problem && gaps > 0) problem = `${gaps} sequence number(s) missing`;
  if (!problem && final?.type === 'end') problem = checkAnswer(spec, { text, outputTokens, stopReason: final.stopReason });
  const since = (at: number | undefined) => (at === undefined ? undefined : at - times.startedAt);
  const { admissionWrite, claim } = times.dynamoDb;
  return {
    ok: problem === undefined,
    problem,
    startedMs: since(times.mutationAt),
    modelCallReceivedMs: since(times.modelCallReceivedAt),
    firstTokenSentMs: since(times.firstTokenSentAt),
    firstDeltaPublishedMs: since(times.firstDeltaPublishedAt),
    firstTokenMs: since(times.firstTokenAt),
    admissionWriteMs: admissionWrite && admissionWrite.endedAt - admissionWrite.startedAt,
    admissionWriteAttempts: admissionWrite?.attempts,
    claimMs: claim && claim.endedAt - claim.startedAt,
    totalMs: since(times.finalAt),
    outputTokens,
    dataMessages: received.length,
    gaps,
    duplicates: received.length - bySeq.size,
  };
}

/** The `event` of a data frame is the published event as a JSON string. */
function parseEvent(raw: unknown): StreamEvent {
  const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  return (typeof value === 'string' ? JSON.parse(value) : value) as StreamEvent;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
