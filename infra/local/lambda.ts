/**
 * Lambda on the twin. Each function of the manifest runs in execution environments of its
 * own (lambda/execution-environment.ts): a Node process per environment, loading the bundle
 * the CDK deploys, with only that function's variables, its memory size as the heap limit,
 * warm reuse, concurrency with throttling, timeouts, and Lambda's START/END/REPORT lines.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { LambdaFunction } from '../gateway.js';
import { functionBundle, runtimeBootstrap } from './lambda/bundles.js';
import { LambdaFunctionError } from './lambda/function-error.js';
import { EnvironmentPool, type Lease } from './lambda/environment-pool.js';
import { ExecutionEnvironment, type StreamListener } from './lambda/execution-environment.js';
import { functionEnvironment, type TwinFunctionSettings } from './lambda/function-environment.js';
import type { InvocationContext } from './lambda/messages.js';
import { checkPayloadSize, MAX_ASYNC_PAYLOAD_IN_BYTES, MAX_SYNC_PAYLOAD_IN_BYTES } from './lambda/payload-limits.js';
import { endLine, reportLine, startLine } from './lambda/report.js';

export type { TwinFunctionSettings } from './lambda/function-environment.js';
export { LambdaFunctionError } from './lambda/function-error.js';

/** The Lambda context object a handler receives. */
export interface LocalLambdaContext extends Omit<InvocationContext, 'deadlineMs'> {
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop: boolean;
}

export type LambdaHandler = (event: unknown, context: LocalLambdaContext) => Promise<unknown>;

/** Lambda retries a failed asynchronous invocation twice, about 1 and 2 minutes apart. */
export const ASYNC_RETRY_ATTEMPTS = 2;

/**
 * Environments a function may run at once when the manifest reserves none: the twin's
 * stand-in for the account's unreserved concurrency, sized for a laptop.
 */
export const DEFAULT_FUNCTION_CONCURRENCY = 100;

/** Receives each line a function writes; returns true when it consumed the line (EMF). */
export type FunctionLineListener = (functionName: string, line: string) => boolean;

export interface LambdaInvokerOptions {
  functions: LambdaFunction[];
  /** What every function's environment is built from (endpoints, credentials, tables). */
  settings: TwinFunctionSettings;
  accountId: string;
  /** Delays between asynchronous retries; shortened on the twin so tests see them. @default [1000, 2000] */
  asyncRetryDelaysMs?: number[];
  /** Lets tests swap a handler, run in the twin's process, without touching the manifest. */
  overrides?: Record<string, LambdaHandler>;
  log?: (line: string) => void;
}

/**
 * `SLUICE_FUNCTION_NODE_ARGS` in the twin's environment: extra Node flags for every
 * execution environment, off unless set, to profile functions where they run, e.g.
 * `SLUICE_FUNCTION_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof/functions"`.
 */
function functionNodeArgs(): string[] {
  return (process.env.SLUICE_FUNCTION_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

export class LocalLambdaInvoker {
  readonly #options: LambdaInvokerOptions;
  readonly #pools = new Map<string, EnvironmentPool>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #lineListeners: FunctionLineListener[] = [];

  constructor(options: LambdaInvokerOptions) {
    this.#options = options;
  }

  has(functionName: string): boolean {
    return Boolean(this.#options.overrides?.[functionName]) || this.#options.functions.some((f) => f.name === functionName);
  }

  /** Lets a twin component see what functions write (the metrics capture takes the EMF lines). */
  onFunctionLine(listener: FunctionLineListener): void {
    this.#lineListeners.push(listener);
  }

  /** Synchronous invoke: resolves with the function's result, rejects with {@link LambdaFunctionError}. */
  async invoke(functionName: string, event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    const fn = this.#definition(functionName);
    const payload = JSON.stringify(event ?? null);
    checkPayloadSize(functionName, payload, MAX_SYNC_PAYLOAD_IN_BYTES, 'Invoke');
    const override = this.#options.overrides?.[functionName];
    if (override) return this.#invokeInProcess(fn, override, payload, requestId);
    const lease = await this.#pool(fn).acquire({ wait: false }).catch((error: unknown) => this.#initFailed(fn, error));
    if (!lease) {
      throw new LambdaFunctionError(functionName, 'TooManyRequestsException', 'Rate Exceeded.', { statusCode: 429 });
    }
    return this.#run(fn, lease, payload, requestId);
  }

  /**
   * A response-streaming invoke (a function URL in RESPONSE_STREAM mode): the handler's
   * bytes reach `stream.onMessage` as it writes them; aborting `stream.signal` breaks the
   * handler's response stream, as a client that hangs up does. Resolves when the handler
   * returns; rejects with {@link LambdaFunctionError}.
   */
  async invokeStreaming(functionName: string, event: unknown, stream: StreamListener, requestId: string = randomUUID()): Promise<void> {
    const fn = this.#definition(functionName);
    const payload = JSON.stringify(event ?? null);
    checkPayloadSize(functionName, payload, MAX_SYNC_PAYLOAD_IN_BYTES, 'Invoke');
    const lease = await this.#pool(fn).acquire({ wait: false }).catch((error: unknown) => this.#initFailed(fn, error));
    if (!lease) throw new LambdaFunctionError(functionName, 'TooManyRequestsException', 'Rate Exceeded.', { statusCode: 429 });
    await this.#run(fn, lease, payload, requestId, stream);
  }

  /**
   * Asynchronous (Event) invoke: returns the request id at once. Lambda's event queue holds
   * a throttled event until an environment is free, and retries a failed one twice with the
   * same event and request id.
   */
  invokeAsync(functionName: string, event: unknown): string {
    const fn = this.#definition(functionName);
    const payload = JSON.stringify(event ?? null);
    checkPayloadSize(functionName, payload, MAX_ASYNC_PAYLOAD_IN_BYTES, 'InvokeAsync');
    const requestId = randomUUID();
    const delays = this.#options.asyncRetryDelaysMs ?? [1000, 2000];
    const attempt = async () => {
      const override = this.#options.overrides?.[functionName];
      if (override) return this.#invokeInProcess(fn, override, payload, requestId);
      const lease = await this.#pool(fn).acquire({ wait: true }).catch((error: unknown) => this.#initFailed(fn, error));
      return this.#run(fn, lease!, payload, requestId);
    };
    const run = async () => {
      for (let retry = 0; retry <= ASYNC_RETRY_ATTEMPTS; retry++) {
        try {
          await attempt();
          return;
        } catch (error) {
          this.#options.log?.(`[lambda] ${functionName} ${requestId} attempt ${retry + 1} failed: ${(error as Error).message}`);
          if (retry === ASYNC_RETRY_ATTEMPTS) return;
          await new Promise((r) => setTimeout(r, delays[Math.min(retry, delays.length - 1)]));
        }
      }
    };
    const pending = run();
    this.#inFlight.add(pending);
    void pending.finally(() => this.#inFlight.delete(pending));
    return requestId;
  }

  /** Waits for every asynchronous invocation still running (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Ends every execution environment. */
  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
  }

  async #run(fn: LambdaFunction, lease: Lease, eventJson: string, requestId: string, stream?: StreamListener): Promise<unknown> {
    const { environment } = lease;
    const context = this.#context(fn, requestId, Date.now() + fn.timeoutSeconds * 1000);
    this.#platformLine(fn, startLine(requestId));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), fn.timeoutSeconds * 1000);
    });
    const outcome = await Promise.race([environment.invoke(eventJson, context, stream), timedOut]);
    clearTimeout(timer);
    const pool = this.#pool(fn);
    const initDurationMs = lease.cold ? environment.initDurationMs : undefined;
    if (outcome === 'timeout') {
      // Lambda stops the function where it is: the environment ends with the invocation.
      environment.kill();
      await environment.exited();
      pool.release(environment);
      const message = `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`;
      this.#platformLine(fn, `${new Date().toISOString()} ${requestId} ${message}`);
      this.#platformLine(fn, endLine(requestId));
      this.#platformLine(fn, reportLine({ requestId, durationMs: fn.timeoutSeconds * 1000, memorySizeMb: fn.memoryMb, maxMemoryUsedMb: fn.memoryMb, initDurationMs, status: 'timeout' }));
      throw new LambdaFunctionError(fn.name, 'Sandbox.Timedout', message);
    }
    pool.release(environment);
    if (outcome.kind === 'error') {
      this.#platformLine(fn, `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(outcome.error)}`);
    }
    this.#platformLine(fn, endLine(requestId));
    const status = outcome.kind === 'error' && environment.ended ? 'error' : undefined;
    this.#platformLine(fn, reportLine({ requestId, durationMs: outcome.durationMs, memorySizeMb: fn.memoryMb, maxMemoryUsedMb: outcome.maxMemoryUsedMb, initDurationMs, status }));
    if (outcome.kind === 'error') throw new LambdaFunctionError(fn.name, outcome.error.errorType, outcome.error.errorMessage);
    // A streamed response has no payload quota of its own here (Lambda's is 200 MB, far past a chat turn).
    if (!stream) checkPayloadSize(fn.name, outcome.payloadJson, MAX_SYNC_PAYLOAD_IN_BYTES, 'response');
    return JSON.parse(outcome.payloadJson) as unknown;
  }

  /** A test's stand-in handler: run in this process, with the same JSON round trip and timeout. */
  async #invokeInProcess(fn: LambdaFunction, handler: LambdaHandler, payload: string, requestId: string): Promise<unknown> {
    const deadlineMs = Date.now() + fn.timeoutSeconds * 1000;
    const { deadlineMs: _deadline, ...fields } = this.#context(fn, requestId, deadlineMs);
    const context: LocalLambdaContext = {
      ...fields,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    };
    try {
      return await handler(JSON.parse(payload), context);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      throw new LambdaFunctionError(fn.name, err.name || 'Error', err.message, { cause: err });
    }
  }

  #initFailed(fn: LambdaFunction, error: unknown): never {
    const { errorType, errorMessage } = error as { errorType: string; errorMessage: string };
    this.#platformLine(fn, `INIT_REPORT Phase: init Status: error Error Type: ${errorType}`);
    throw new LambdaFunctionError(fn.name, errorType, errorMessage);
  }

  #definition(functionName: string): LambdaFunction {
    const fn = this.#options.functions.find((f) => f.name === functionName);
    if (fn) return fn;
    if (this.#options.overrides?.[functionName]) {
      return { name: functionName, entry: '', timeoutSeconds: 60, memoryMb: 128, tables: [] };
    }
    throw new LambdaFunctionError(functionName, 'ResourceNotFoundException', `Function not found: ${functionName}`, { statusCode: 404 });
  }

  #pool(fn: LambdaFunction): EnvironmentPool {
    let pool = this.#pools.get(fn.name);
    if (!pool) {
      pool = new EnvironmentPool(fn.reservedConcurrency ?? DEFAULT_FUNCTION_CONCURRENCY, () => this.#startEnvironment(fn));
      this.#pools.set(fn.name, pool);
    }
    return pool;
  }

  async #startEnvironment(fn: LambdaFunction): Promise<ExecutionEnvironment> {
    const [bootstrapPath, bundlePath] = await Promise.all([runtimeBootstrap(), functionBundle(fn.name, fn.entry)]);
    return ExecutionEnvironment.start({
      functionName: fn.name,
      bootstrapPath,
      bundlePath,
      memoryMb: fn.memoryMb,
      environment: functionEnvironment(fn, this.#options.settings, dirname(bundlePath)),
      nodeArgs: functionNodeArgs(),
      onLine: (line) => this.#functionLine(fn, line),
    });
  }

  #functionLine(fn: LambdaFunction, line: string): void {
    if (this.#lineListeners.some((listener) => listener(fn.name, line))) return;
    this.#platformLine(fn, line);
  }

  /** The twin's console shows each function's lines under its name. */
  #platformLine(fn: LambdaFunction, line: string): void {
    this.#options.log?.(`[${fn.name}] ${line}`);
  }

  #context(fn: LambdaFunction, requestId: string, deadlineMs: number): InvocationContext {
    const { region } = this.#options.settings;
    return {
      awsRequestId: requestId,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:${this.#options.accountId}:function:${fn.name}`,
      memoryLimitInMB: String(fn.memoryMb),
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `local/[$LATEST]${fn.name}`,
      deadlineMs,
    };
  }
}
