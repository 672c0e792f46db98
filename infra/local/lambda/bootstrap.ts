/**
 * The runtime of one execution environment: the twin forks this file (bundled) once per
 * environment, with only the function's environment variables. It loads the function's
 * bundle (the init phase), then runs one invocation at a time as the twin sends them, the
 * way Lambda's Node.js runtime does. Everything the function writes goes back to the twin
 * over the IPC channel, so its log lines keep their order with the invocation's end.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { EnvironmentToTwin, ErrorPayload, InvocationContext, TwinToEnvironment } from './messages.js';
import { installAwsLambdaGlobal, IpcResponseStream, isStreamingHandler } from './response-stream.js';

type Handler = (event: unknown, context: unknown) => unknown;

const bundlePath = process.argv[2]!;
let currentRequestId: string | undefined;

function send(message: EnvironmentToTwin): void {
  process.send!(message);
}

// The function's stdout and stderr (its own writes, Powertools' JSON lines, EMF) go to the twin.
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    send({ type: 'log', text: typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8') });
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
}

// Lambda's Node.js runtime prints console output as `time<TAB>request id<TAB>LEVEL<TAB>message`,
// with the message's newlines turned into carriage returns so one call stays one log event.
const levels = { log: 'INFO', info: 'INFO', debug: 'DEBUG', warn: 'WARN', error: 'ERROR', trace: 'TRACE' } as const;
for (const [method, level] of Object.entries(levels)) {
  (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) => {
    const message = format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${message}\n`);
  };
}

function errorPayload(error: unknown): ErrorPayload {
  if (error instanceof Error) return { errorType: error.name || 'Error', errorMessage: error.message };
  return { errorType: 'Error', errorMessage: String(error) };
}

function maxMemoryUsedMb(): number {
  return Math.ceil(process.resourceUsage().maxRSS / 1024);
}

/** Reports an error nothing awaited, then ends the environment, as Lambda's runtime does. */
function endWithError(error: ErrorPayload): void {
  if (currentRequestId) send({ type: 'error', requestId: currentRequestId, error, maxMemoryUsedMb: maxMemoryUsedMb(), fatal: true });
  process.exitCode = 129;
  process.disconnect?.();
}
process.on('uncaughtException', (error) => endWithError(errorPayload(error)));
process.on('unhandledRejection', (reason) => {
  const cause = errorPayload(reason);
  endWithError({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: `${cause.errorType}: ${cause.errorMessage}` });
});

// The twin ends environments with SIGTERM when it shuts down; exiting lets Node write what it was asked to (a --cpu-prof profile).
process.on('SIGTERM', () => process.exit(0));

async function init(): Promise<Handler | undefined> {
  const started = performance.now();
  installAwsLambdaGlobal();
  try {
    const module = (await import(pathToFileURL(bundlePath).href)) as { handler?: unknown };
    if (typeof module.handler !== 'function') {
      send({ type: 'init-error', error: { errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported' } });
      return undefined;
    }
    send({ type: 'ready', initDurationMs: performance.now() - started });
    return module.handler as Handler;
  } catch (error) {
    send({ type: 'init-error', error: errorPayload(error) });
    return undefined;
  }
}

function lambdaContext(context: InvocationContext) {
  const { deadlineMs, ...fields } = context;
  return {
    ...fields,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
  };
}

/** The response stream of the streaming invocation running now. */
let responseStream: IpcResponseStream | undefined;

async function invoke(handler: Handler, message: Extract<TwinToEnvironment, { type: 'invoke' }>): Promise<void> {
  const requestId = message.context.awsRequestId;
  currentRequestId = requestId;
  try {
    const event = JSON.parse(message.eventJson) as unknown;
    let payload: unknown;
    const entry: unknown = handler;
    if (isStreamingHandler(entry)) {
      const stream = new IpcResponseStream({
        contentType: (contentType) => send({ type: 'stream-content-type', requestId, contentType }),
        chunk: (data) => send({ type: 'stream-chunk', requestId, base64: data.toString('base64') }),
      });
      responseStream = stream;
      await entry(event, stream, lambdaContext(message.context));
      if (!stream.writableEnded && !stream.destroyed) stream.end();
    } else {
      payload = await handler(event, lambdaContext(message.context));
    }
    send({ type: 'result', requestId, payloadJson: JSON.stringify(payload ?? null), maxMemoryUsedMb: maxMemoryUsedMb() });
  } catch (error) {
    send({ type: 'error', requestId, error: errorPayload(error), maxMemoryUsedMb: maxMemoryUsedMb(), fatal: false });
  } finally {
    currentRequestId = undefined;
    responseStream = undefined;
  }
}

const handler = await init();
if (handler) {
  process.on('message', (message: TwinToEnvironment) => {
    if (message.type === 'invoke') return void invoke(handler, message);
    // The client went away: the stream breaks under the handler, as a closed connection does.
    if (message.requestId === currentRequestId) responseStream?.destroy(new Error('The client closed the connection'));
  });
} else {
  process.disconnect?.();
}
