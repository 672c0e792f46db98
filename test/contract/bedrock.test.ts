import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InternalServerException,
  ModelErrorException,
  ModelStreamErrorException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
  type ConverseStreamCommandInput,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { connect, constants } from 'node:http2';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedrockClientConfig } from '../../infra/local/bedrock/client.js';
import { decodeFrame } from '../../infra/local/bedrock/eventstream.js';
import { startBedrockTwin, type BedrockTwin } from '../../infra/local/bedrock/server.js';
import { simulate } from '../../infra/local/bedrock/simulator.js';

const MODEL_ID = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
const PACED_MODEL_ID = 'test.paced-v1:0';
const PACE = { timeToFirstTokenMs: 200, tokensPerSecond: 100 };

let fast: BedrockTwin;
let paced: BedrockTwin;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  fast = await startBedrockTwin({ speed: Infinity });
  paced = await startBedrockTwin({ models: { [PACED_MODEL_ID]: PACE } });
  client = new BedrockRuntimeClient({ ...bedrockClientConfig(fast.endpoint), maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await Promise.all([fast.close(), paced.close()]);
});

function request(text: string, extra: Partial<ConverseStreamCommandInput> = {}): ConverseStreamCommandInput {
  return { modelId: MODEL_ID, messages: [{ role: 'user', content: [{ text }] }], ...extra };
}

async function collect(stream: AsyncIterable<ConverseStreamOutput> | undefined, onDelta?: () => void) {
  const result: { text: string; events: string[]; stopReason?: string; usage?: unknown; error?: unknown } = { text: '', events: [] };
  try {
    for await (const event of stream ?? []) {
      const [type] = Object.keys(event).filter((key) => key !== '$unknown');
      result.events.push(type);
      if (event.contentBlockDelta?.delta?.text !== undefined) {
        result.text += event.contentBlockDelta.delta.text;
        onDelta?.();
      }
      if (event.messageStop) result.stopReason = event.messageStop.stopReason;
      if (event.metadata) result.usage = event.metadata.usage;
    }
  } catch (error) {
    result.error = error;
  }
  return result;
}

describe('Bedrock twin with the AWS SDK', () => {
  it("streams the simulator's text, stop reason and usage", async () => {
    // Prepare
    const input = request('Explain token budgets [[sim:tokens=120]]');
    const expected = simulate(input);

    // Act
    const response = await client.send(new ConverseStreamCommand(input));
    const result = await collect(response.stream);

    // Assess
    expect(result.error).toBeUndefined();
    expect(result.text).toBe(expected.text);
    expect(result.stopReason).toBe('end_turn');
    expect(result.usage).toEqual(expected.usage);
    expect(result.events[0]).toBe('messageStart');
    expect(result.events.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    expect(result.events.filter((e) => e === 'contentBlockDelta')).toHaveLength(expected.chunks.length);
    expect(response.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('returns the same text, stop reason and usage from Converse as from ConverseStream', async () => {
    // Prepare
    const input = request('Same answer both ways');
    const streamed = await collect((await client.send(new ConverseStreamCommand(input))).stream);

    // Act
    const response = await client.send(new ConverseCommand(input));

    // Assess
    expect(response.output?.message).toEqual({ role: 'assistant', content: [{ text: streamed.text }] });
    expect(response.stopReason).toBe(streamed.stopReason);
    expect(response.usage).toEqual(streamed.usage);
    expect(response.metrics?.latencyMs).toEqual(expect.any(Number));
  });

  it('stops with max_tokens at inferenceConfig.maxTokens', async () => {
    // Prepare
    const input = request('Keep going [[sim:tokens=200]]', { inferenceConfig: { maxTokens: 15 } });

    // Act
    const result = await collect((await client.send(new ConverseStreamCommand(input))).stream);

    // Assess
    expect(result.stopReason).toBe('max_tokens');
    expect(result.usage).toMatchObject({ outputTokens: 15 });
    expect(result.text).toBe(simulate(input).text);
  });

  it('answers the same prompt and seed identically and another seed differently', async () => {
    // Prepare
    const withSeed = (seed: number) => request('Determinism please', { additionalModelRequestFields: { seed } });

    // Act
    const [first, again, other] = await Promise.all(
      [withSeed(1), withSeed(1), withSeed(2)].map(async (input) => (await client.send(new ConverseCommand(input))).output?.message?.content?.[0]?.text),
    );

    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('accepts a foundation-model ARN as the model id', async () => {
    // Act
    const response = await client.send(new ConverseCommand(request('ARN', { modelId: 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0' })));

    // Assess
    expect(response.stopReason).toBe('end_turn');
  });

  it.each([
    ['throttle', ThrottlingException],
    ['unavailable', ServiceUnavailableException],
    ['validation-error', ValidationException],
    ['internal-error', InternalServerException],
    ['midstream-error', ModelStreamErrorException],
  ])('throws %s as the SDK typed error while iterating, after the partial text', async (fault, ErrorClass) => {
    // Prepare
    const input = request(`Break please [[sim:tokens=60]] [[sim:${fault}@20]]`);

    // Act
    const result = await collect((await client.send(new ConverseStreamCommand(input))).stream);

    // Assess
    expect(result.error).toBeInstanceOf(ErrorClass);
    expect((result.error as Error).name).toBe(ErrorClass.name);
    expect(result.text).toBe(simulate(input).text);
    expect(result.text.split(/\s+/).filter(Boolean)).toHaveLength(20);
    expect(result.events).not.toContain('metadata');
  });

  it.each([
    ['[[sim:throttle]]', ThrottlingException, 429],
    ['[[sim:unavailable]]', ServiceUnavailableException, 503],
    ['[[sim:internal-error]]', InternalServerException, 500],
    ['[[sim:validation-error]]', ValidationException, 400],
    ['[[sim:tokens=lots]]', ValidationException, 400],
  ])('refuses a %s prompt before streaming with the typed error and its status', async (directive, ErrorClass, status) => {
    // Act
    const send = client.send(new ConverseStreamCommand(request(`Refuse ${directive}`)));

    // Assess
    await expect(send).rejects.toBeInstanceOf(ErrorClass);
    await expect(send).rejects.toMatchObject({ name: ErrorClass.name, $metadata: { httpStatusCode: status } });
  });

  it('answers a mid-stream fault with ModelErrorException from Converse', async () => {
    // Act
    const send = client.send(new ConverseCommand(request('Break [[sim:midstream-error@5]]')));

    // Assess
    await expect(send).rejects.toBeInstanceOf(ModelErrorException);
  });

  it.each([
    ['an unknown model', { modelId: 'acme.nope-v1:0' }, 'The provided model identifier is invalid.'],
    ['empty messages', { messages: [] }, 'A conversation must start with a user message'],
    ['maxTokens 0', { inferenceConfig: { maxTokens: 0 } }, 'inferenceConfig.maxTokens'],
    ['maxTokens over the model limit', { inferenceConfig: { maxTokens: 100_000 } }, 'exceeds the model limit of 8192'],
    ['roles that do not alternate', { messages: [{ role: 'user' as const, content: [{ text: 'a' }] }, { role: 'user' as const, content: [{ text: 'b' }] }] }, 'alternate'],
  ])('rejects %s with a ValidationException from both operations', async (_case, override, message) => {
    // Prepare
    const input = { ...request('hello'), ...override };

    // Act
    const streamed = client.send(new ConverseStreamCommand(input));
    const whole = client.send(new ConverseCommand(input));

    // Assess
    for (const send of [streamed, whole]) {
      await expect(send).rejects.toBeInstanceOf(ValidationException);
      await expect(send).rejects.toMatchObject({ message: expect.stringContaining(message), $metadata: { httpStatusCode: 400 } });
    }
  });

  it('throttles the first two attempts of a throttle=2 prompt and answers the third in full', async () => {
    // Prepare
    const input = request(`Retry ${Date.now()} [[sim:throttle=2]]`);
    const attempt = () => client.send(new ConverseCommand(input));

    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await attempt().catch((error: Error) => error));

    // Assess
    expect(outcomes[0]).toBeInstanceOf(ThrottlingException);
    expect(outcomes[1]).toBeInstanceOf(ThrottlingException);
    expect(outcomes[2]).toMatchObject({ output: { message: { content: [{ text: simulate(input, { attempt: 3 }).text }] } } });
  });

  it('starts attempt counts over after resetAttempts', async () => {
    // Prepare
    const input = request(`Reset ${Date.now()} [[sim:throttle=1]]`);
    await client.send(new ConverseCommand(input)).catch(() => undefined);

    // Act
    fast.resetAttempts();
    const send = client.send(new ConverseCommand(input));

    // Assess
    await expect(send).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('counts tokens with CountTokens as Converse bills them', async () => {
    // Prepare
    const input = request('How many tokens is this prompt?', { system: [{ text: 'Answer briefly.' }] });

    // Act
    const response = await client.send(new CountTokensCommand({ modelId: MODEL_ID, input: { converse: { messages: input.messages, system: input.system } } }));

    // Assess
    expect(response.inputTokens).toBe(simulate(input).usage.inputTokens);
  });

  it('reports a cache write and then a cache read for a prompt with a cachePoint', async () => {
    // Prepare
    const input = request('Question', { system: [{ text: `Shared context ${Date.now()}` }, { cachePoint: { type: 'default' } }] });

    // Act
    const first = await client.send(new ConverseCommand(input));
    const second = await client.send(new ConverseCommand(input));

    // Assess
    expect(first.usage).toMatchObject({ inputTokens: 1, cacheWriteInputTokens: 3, cacheReadInputTokens: 0 });
    expect(second.usage).toMatchObject({ inputTokens: 1, cacheWriteInputTokens: 0, cacheReadInputTokens: 3 });
  });

  it('is found through AWS_ENDPOINT_URL_BEDROCK_RUNTIME by a client built without an endpoint', async () => {
    // Prepare
    const previous = process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = fast.endpoint;
    const unmodified = new BedrockRuntimeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

    // Act
    const response = await unmodified.send(new ConverseCommand(request('From the environment'))).finally(() => {
      unmodified.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
      else process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = previous;
    });

    // Assess
    expect(response.stopReason).toBe('end_turn');
  });
});

describe('Bedrock twin pacing', () => {
  it('delivers the first token no earlier than the time to first token and the rest near the model speed', async () => {
    // Prepare
    const pacedClient = new BedrockRuntimeClient({ ...bedrockClientConfig(paced.endpoint), maxAttempts: 1 });
    const input = request('Pace [[sim:tokens=30]]', { modelId: PACED_MODEL_ID });
    const started = performance.now();
    let firstDeltaAt = 0;

    // Act
    const result = await collect((await pacedClient.send(new ConverseStreamCommand(input))).stream, () => {
      firstDeltaAt ||= performance.now() - started;
    });
    const totalMs = performance.now() - started;
    pacedClient.destroy();

    // Assess
    const lastChunkTokens = simulate(input, { models: { [PACED_MODEL_ID]: PACE } }).chunks.at(-1)!.split(/\s+/).filter(Boolean).length;
    expect(result.usage).toMatchObject({ outputTokens: 30 });
    expect(firstDeltaAt).toBeGreaterThanOrEqual(PACE.timeToFirstTokenMs - 5);
    expect(totalMs).toBeGreaterThanOrEqual(PACE.timeToFirstTokenMs + ((30 - lastChunkTokens) * 1000) / PACE.tokensPerSecond - 5);
    expect(totalMs).toBeLessThan(5_000);
  });

  it('honours [[sim:slow-start]] as the time to first token', async () => {
    // Prepare
    const pacedClient = new BedrockRuntimeClient({ ...bedrockClientConfig(paced.endpoint), maxAttempts: 1 });
    const started = performance.now();
    let firstDeltaAt = 0;

    // Act
    await collect((await pacedClient.send(new ConverseStreamCommand(request('Wait [[sim:slow-start=600]] [[sim:tokens=3]]', { modelId: PACED_MODEL_ID })))).stream, () => {
      firstDeltaAt ||= performance.now() - started;
    });
    pacedClient.destroy();

    // Assess
    expect(firstDeltaAt).toBeGreaterThanOrEqual(595);
  });

  it('stops generating and keeps serving after a client aborts mid-stream', async () => {
    // Prepare
    const sleeps: number[] = [];
    const watched = await startBedrockTwin({
      models: { [PACED_MODEL_ID]: PACE },
      sleep: (ms, signal) => {
        sleeps.push(performance.now());
        return sleepFor(ms, undefined, { signal });
      },
    });
    const watchedClient = new BedrockRuntimeClient({ ...bedrockClientConfig(watched.endpoint), maxAttempts: 1 });
    const abort = new AbortController();
    const slow = request('A slow one [[sim:tokens=500]] [[sim:tps=20]] [[sim:slow-start=0]]', { modelId: PACED_MODEL_ID });
    const response = await watchedClient.send(new ConverseStreamCommand(slow), { abortSignal: abort.signal });

    // Act
    const aborted = await collect(response.stream, () => abort.abort());
    const abortedAt = performance.now();
    await sleepFor(300);
    const after = await watchedClient.send(new ConverseCommand(request('Still there? [[sim:tokens=5]]', { modelId: PACED_MODEL_ID })));
    watchedClient.destroy();
    await watched.close();

    // Assess
    expect(aborted.events).not.toContain('metadata');
    expect(simulate(slow, { models: { [PACED_MODEL_ID]: PACE } }).text.startsWith(aborted.text)).toBe(true);
    expect(sleeps.filter((at) => at > abortedAt + 150 && at < abortedAt + 300)).toEqual([]);
    expect(after.usage?.outputTokens).toBe(5);
  });
});

describe('Bedrock twin on the wire', () => {
  async function raw(path: string, headers: Record<string, string>, body: string) {
    const session = connect(fast.endpoint);
    try {
      return await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json', ...headers });
        const chunks: Buffer[] = [];
        let responseHeaders: Record<string, unknown> = {};
        stream.on('response', (h) => (responseHeaders = h));
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve({ status: Number(responseHeaders[':status']), headers: responseHeaders, body: Buffer.concat(chunks) }));
        stream.on('error', reject);
        stream.end(body);
      });
    } finally {
      session.close();
    }
  }

  /** Splits an event-stream body at each frame's total-length prelude and decodes the frames. */
  function frames(body: Buffer) {
    const decoded = [];
    for (let at = 0; at < body.length; ) {
      const length = body.readUInt32BE(at);
      decoded.push(decodeFrame(new Uint8Array(body.subarray(at, at + length))));
      at += length;
    }
    return decoded;
  }

  const encodedModel = `/model/${encodeURIComponent(MODEL_ID)}`;
  const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Wire [[sim:tokens=4]]' }] }] });

  it('frames ConverseStream events with Bedrock headers and a padding field', async () => {
    // Act
    const response = await raw(`${encodedModel}/converse-stream`, { authorization: 'AWS4-HMAC-SHA256 anything' }, body);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    const decoded = frames(response.body);
    expect(decoded[0].headers).toEqual({ ':event-type': 'messageStart', ':content-type': 'application/json', ':message-type': 'event' });
    for (const frame of decoded) expect(frame.body).toMatchObject({ p: expect.stringMatching(/^abc|^a$|^ab$/) });
    expect(decoded.map((f) => f.headers[':event-type']).slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
  });

  it('accepts a bearer token (Bedrock API key) as the Authorization header', async () => {
    // Act
    const response = await raw(`${encodedModel}/converse`, { authorization: 'Bearer bedrock-api-key-abc' }, body);

    // Assess
    expect(response.status).toBe(200);
  });

  it.each([
    ['no Authorization header', `${encodedModel}/converse`, {}, body, 403, 'MissingAuthenticationTokenException'],
    ['an unknown operation', `${encodedModel}/invoke-nothing`, { authorization: 'x' }, body, 404, 'UnknownOperationException'],
    ['a body that is not JSON', `${encodedModel}/converse`, { authorization: 'x' }, '{oops', 400, 'ValidationException'],
    ['a model id that is not percent-encoding', '/model/%E0%A4%A/converse', { authorization: 'x' }, body, 400, 'ValidationException'],
  ])('answers %s with a typed error response', async (_case, path, headers, payload, status, errorType) => {
    // Act
    const response = await raw(path, headers, payload);

    // Assess
    expect(response.status).toBe(status);
    expect(String(response.headers['x-amzn-errortype'])).toMatch(new RegExp(`^${errorType}:`));
    expect(JSON.parse(response.body.toString())).toEqual({ message: expect.any(String) });
  });

  it('keeps serving after a client resets the stream before the answer', async () => {
    // Prepare
    const session = connect(paced.endpoint);
    const stream = session.request({ ':method': 'POST', ':path': `/model/${PACED_MODEL_ID}/converse-stream`, authorization: 'x' });
    stream.end(body);
    await new Promise((resolve) => stream.once('response', resolve));

    // Act
    stream.close(constants.NGHTTP2_CANCEL);
    session.close();
    const after = await client.send(new ConverseCommand(request('Still fine')));

    // Assess
    expect(after.stopReason).toBe('end_turn');
  });
});
