import { randomUUID } from 'node:crypto';
import { constants, createServer, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { converse, streamConverse, type FrameSink, type Pacing } from './converse.js';
import { BedrockTwinError } from './errors.js';
import { decodeFrame, EVENT_STREAM_CONTENT_TYPE, STREAM_EVENT } from './eventstream.js';
import { AttemptCounter, PromptCache } from './memory.js';
import { modelRuleRefusal, type ModelRules } from './model-rules.js';
import { DEFAULT_MODELS } from './models.js';
import { forwardToOpenAi } from './openai.js';
import { FAULTS } from './faults.js';
import { readPrompt } from './prompt.js';
import { promptKeyOf, simulate } from './simulator.js';
import { BEDROCK_ERROR, type ConverseInput, type ConverseStreamTiming, type SimulatedModel } from './types.js';
import { parseConverseBody } from './validation.js';

/** Options of {@link startBedrockTwin}. */
export interface BedrockTwinOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Models to serve beyond (or instead of the pace of) the built-in catalog, by model id. @default DEFAULT_MODELS */
  models?: Readonly<Record<string, SimulatedModel>>;
  /**
   * Which ids AWS serves on demand, through a profile, or not at all, and which CountTokens
   * counts: an id the rules refuse gets AWS's error. @default none (every id is served and counted)
   */
  modelRules?: ModelRules;
  /** Divides every delay: 10 is ten times faster, Infinity never waits. @default SLUICE_BEDROCK_SPEED or 1 */
  speed?: number;
  /** Monotonic milliseconds. @default performance.now */
  clock?: () => number;
  /** Waits `ms`, settling early once `signal` aborts. @default node:timers/promises setTimeout */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Forward to this OpenAI-compatible server instead of simulating. @default SLUICE_OPENAI_BASE_URL */
  openAiBaseUrl?: string;
  /** Where failures of the twin itself are reported. @default console */
  log?: Pick<Console, 'error'>;
  /**
   * Told when each simulated ConverseStream sends its first text delta, with when the
   * request arrived (streams that send no text are not reported). Lets a benchmark split
   * the time around the model call; when unset, frames are not even looked at.
   * @default none
   */
  onConverseStream?: (timing: ConverseStreamTiming) => void;
}

/** A running twin. */
export interface BedrockTwin {
  /** Base URL to give the SDK as `endpoint`, e.g. `http://127.0.0.1:53121`. */
  endpoint: string;
  /** Forgets attempt counts, so `[[sim:throttle=N]]` prompts fail N times again. */
  resetAttempts(): void;
  /**
   * Answers every model call (Converse, ConverseStream, CountTokens), whatever its prompt,
   * with 429 `ThrottlingException` for the next `durationMs` (real time, not divided by
   * `speed`): Bedrock throttling an account for a while. 0 stops it.
   */
  throttleEveryCall(durationMs: number): void;
  /** Stops listening and drops open connections (their streams end). */
  close(): Promise<void>;
}

const ROUTE = /^\/model\/([^/]+)\/(converse|converse-stream|count-tokens)$/;
// Bounds the twin's memory per request; Bedrock's own limits depend on the model.
const MAX_REQUEST_BODY_IN_BYTES = 20 * 1024 * 1024;

/**
 * Starts a Bedrock Runtime endpoint (Converse, ConverseStream, CountTokens) over HTTP/2
 * cleartext, answered by the simulator. The unmodified `@aws-sdk/client-bedrock-runtime`
 * talks to it with just `endpoint` set; any SigV4 signature or bearer token is accepted,
 * but an `Authorization` header is required as on AWS.
 * @example
 * const twin = await startBedrockTwin({ speed: Infinity });
 * const client = new BedrockRuntimeClient(bedrockClientConfig(twin.endpoint));
 * // …
 * await twin.close();
 */
export async function startBedrockTwin(options: BedrockTwinOptions = {}): Promise<BedrockTwin> {
  const speed = options.speed ?? Number(process.env.SLUICE_BEDROCK_SPEED ?? 1);
  if (!(speed > 0)) throw new RangeError(`speed must be a positive number (or Infinity), got ${speed}`);
  const pacing: Pacing = { clock: options.clock ?? (() => performance.now()), sleep: options.sleep ?? defaultSleep, speed };
  const context: RequestContext = {
    pacing,
    models: { ...DEFAULT_MODELS, ...options.models },
    attempts: new AttemptCounter(),
    cache: new PromptCache(pacing.clock),
    openAiBaseUrl: options.openAiBaseUrl ?? process.env.SLUICE_OPENAI_BASE_URL,
    modelRules: options.modelRules,
    log: options.log ?? console,
    onConverseStream: options.onConverseStream,
    throttledUntil: 0,
  };

  const server = createServer();
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    // A client that resets the connection must not take the twin down with it.
    session.on('error', () => undefined);
  });
  server.on('stream', (stream, headers) => {
    handle(stream, headers, context).catch((error: unknown) => context.log.error('Bedrock twin could not answer a request', error));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    resetAttempts: () => context.attempts.clear(),
    throttleEveryCall(durationMs: number) {
      if (!(durationMs >= 0 && Number.isFinite(durationMs))) throw new RangeError(`durationMs must be a finite number of milliseconds, 0 or more, got ${durationMs}`);
      context.throttledUntil = durationMs === 0 ? 0 : performance.now() + durationMs;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
      }),
  };
}

interface RequestContext {
  pacing: Pacing;
  models: Readonly<Record<string, SimulatedModel>>;
  attempts: AttemptCounter;
  cache: PromptCache;
  openAiBaseUrl: string | undefined;
  modelRules: ModelRules | undefined;
  log: Pick<Console, 'error'>;
  onConverseStream: BedrockTwinOptions['onConverseStream'];
  /** `performance.now()` until which every model call is throttled ({@link BedrockTwin.throttleEveryCall}). */
  throttledUntil: number;
}

async function handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, context: RequestContext): Promise<void> {
  const startedAt = context.pacing.clock();
  const requestId = randomUUID();
  const abort = new AbortController();
  stream.on('close', () => abort.abort(new Error('The client closed the stream')));
  stream.on('error', () => abort.abort(new Error('The stream failed')));
  try {
    const { modelId, operation } = route(headers);
    if (!headers.authorization) throw new BedrockTwinError(BEDROCK_ERROR.MISSING_AUTHENTICATION_TOKEN, 'Missing Authentication Token');
    const body = await readJson(stream);
    if (performance.now() < context.throttledUntil) throw new BedrockTwinError(BEDROCK_ERROR.THROTTLING, FAULTS.throttle.message);
    const refusal = context.modelRules && modelRuleRefusal(modelId, operation, context.modelRules);
    if (refusal) throw refusal;
    if (operation === 'count-tokens') {
      const converseInput = isRecord(body) && isRecord(body.input) ? body.input.converse : undefined;
      const { inputTokens } = readPrompt(parseConverseBody(converseInput, modelId));
      return respondJson(stream, requestId, 200, { inputTokens });
    }
    const input = parseConverseBody(body, modelId);
    if (context.openAiBaseUrl) return await forward(stream, requestId, input, operation, context.openAiBaseUrl, abort.signal);
    const simulation = simulate(input, {
      models: context.models,
      attempt: context.attempts.next(promptKeyOf(input, context.models)),
      isCached: (key) => context.cache.has(key),
      operation,
    });
    if (simulation.rejection) throw new BedrockTwinError(simulation.rejection.error, simulation.rejection.message);
    if (simulation.cacheKey) context.cache.touch(simulation.cacheKey);
    if (operation === 'converse') {
      return respondJson(stream, requestId, 200, await converse(simulation, context.pacing, abort.signal, startedAt));
    }
    stream.respond({ ':status': 200, 'content-type': EVENT_STREAM_CONTENT_TYPE, 'x-amzn-requestid': requestId });
    const sink = frameSink(stream, abort);
    const { onConverseStream } = context;
    const observed = onConverseStream
      ? reportingFirstDelta(sink, context.pacing.clock, (firstDeltaSentAt) => {
          const timing = { prompt: lastUserText(input), receivedAt: startedAt, firstDeltaSentAt, timeToFirstTokenMs: simulation.pace.timeToFirstTokenMs / context.pacing.speed };
          try {
            onConverseStream(timing);
          } catch (error) {
            context.log.error('A ConverseStream observer failed', error);
          }
        })
      : sink;
    await streamConverse(simulation, context.pacing, observed, abort.signal, startedAt);
  } catch (error) {
    if (abort.signal.aborted) return;
    if (!(error instanceof BedrockTwinError)) context.log.error('Bedrock twin failed on a request', error);
    const twinError = error instanceof BedrockTwinError ? error : new BedrockTwinError(BEDROCK_ERROR.INTERNAL_SERVER, 'Internal server error', { cause: error });
    if (stream.headersSent) stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    else respondJson(stream, requestId, twinError.status, twinError.toJSON(), twinError.headers);
  }
}

async function forward(
  stream: ServerHttp2Stream,
  requestId: string,
  input: ConverseInput,
  operation: 'converse' | 'converse-stream',
  baseUrl: string,
  signal: AbortSignal,
): Promise<void> {
  if (operation === 'converse') return respondJson(stream, requestId, 200, await forwardToOpenAi(baseUrl, input, signal));
  await forwardToOpenAi(baseUrl, input, signal, {
    start: () => stream.respond({ ':status': 200, 'content-type': EVENT_STREAM_CONTENT_TYPE, 'x-amzn-requestid': requestId }),
    frame: (frame) => void (stream.destroyed || stream.write(frame)),
  });
  if (!stream.destroyed) stream.end();
}

function route(headers: IncomingHttpHeaders): { modelId: string; operation: 'converse' | 'converse-stream' | 'count-tokens' } {
  const path = (headers[':path'] ?? '').split('?')[0];
  const match = ROUTE.exec(path);
  if (headers[':method'] !== 'POST' || !match) throw new BedrockTwinError(BEDROCK_ERROR.UNKNOWN_OPERATION, `No operation at ${headers[':method']} ${path}`);
  try {
    return { modelId: decodeURIComponent(match[1]), operation: match[2] as 'converse' | 'converse-stream' | 'count-tokens' };
  } catch (error) {
    throw new BedrockTwinError(BEDROCK_ERROR.VALIDATION, 'The model identifier in the path is not valid percent-encoding.', { cause: error });
  }
}

async function readJson(stream: ServerHttp2Stream): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY_IN_BYTES) throw new BedrockTwinError(BEDROCK_ERROR.VALIDATION, `The request body exceeds ${MAX_REQUEST_BODY_IN_BYTES} bytes.`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
  } catch (error) {
    throw new BedrockTwinError(BEDROCK_ERROR.VALIDATION, 'The request body is not valid JSON.', { cause: error });
  }
}

function respondJson(stream: ServerHttp2Stream, requestId: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (stream.destroyed) return;
  stream.respond({ ':status': status, 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...headers });
  stream.end(JSON.stringify(body));
}

function frameSink(stream: ServerHttp2Stream, abort: AbortController): FrameSink {
  return {
    write: (frame) =>
      new Promise<void>((resolve, reject) => {
        if (stream.destroyed) {
          abort.abort(new Error('The client closed the stream'));
          return reject(abort.signal.reason);
        }
        if (stream.write(frame)) return resolve();
        const settle = () => {
          stream.off('drain', settle).off('close', settle);
          resolve();
        };
        stream.on('drain', settle).on('close', settle);
      }),
    end: (frame) => {
      if (!stream.destroyed) stream.end(frame);
    },
  };
}

/** Wraps `sink` to call `report` once, as the first text delta is handed on; frames are decoded only until then. */
function reportingFirstDelta(sink: FrameSink, clock: () => number, report: (sentAt: number) => void): FrameSink {
  let reported = false;
  return {
    write: (frame) => {
      if (reported || decodeFrame(frame).headers[':event-type'] !== STREAM_EVENT.CONTENT_BLOCK_DELTA) return sink.write(frame);
      reported = true;
      const sentAt = clock();
      const written = sink.write(frame);
      report(sentAt);
      return written;
    },
    end: (frame) => sink.end(frame),
  };
}

function lastUserText(input: ConverseInput): string {
  const lastUser = (input.messages ?? []).findLast((message) => message.role === 'user');
  return (lastUser?.content ?? []).flatMap((block) => (typeof block.text === 'string' ? [block.text] : [])).join('\n');
}

async function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, { signal });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
