import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { LambdaFunction } from '../gateway.js';
import { REPO_ROOT } from './state.js';

/** The subset of the Lambda context object Sluice's handlers read. */
export interface LocalLambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop: boolean;
}

export type LambdaHandler = (event: unknown, context: LocalLambdaContext) => Promise<unknown>;

/** A function error as Lambda reports it (`X-Amz-Function-Error: Unhandled`). */
export class LambdaFunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LambdaFunctionError';
  }
}

/** Lambda retries a failed asynchronous invocation twice, about 1 and 2 minutes apart. */
export const ASYNC_RETRY_ATTEMPTS = 2;

export interface LambdaInvokerOptions {
  functions: LambdaFunction[];
  /** Environment each handler sees, on top of process.env (table names, endpoints). */
  environment: Record<string, string>;
  region: string;
  accountId: string;
  /** Delays between asynchronous retries; shortened on the twin so tests see them. @default [1000, 2000] */
  asyncRetryDelaysMs?: number[];
  /** Lets tests swap a handler without touching the manifest. */
  overrides?: Record<string, LambdaHandler>;
  log?: (line: string) => void;
}

/**
 * Runs the manifest's Lambda handlers in-process with Lambda-shaped events and context.
 * `RequestResponse` awaits the handler; `Event` returns at once and retries failures
 * like Lambda's asynchronous invocation does (the same event and request id each time).
 */
export class LocalLambdaInvoker {
  readonly #options: LambdaInvokerOptions;
  readonly #handlers = new Map<string, Promise<LambdaHandler>>();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(options: LambdaInvokerOptions) {
    this.#options = options;
    // Handlers read their configuration from process.env at load time, as on Lambda;
    // the twin runs every function in one process, so all share one environment.
    Object.assign(process.env, options.environment);
  }

  has(functionName: string): boolean {
    return Boolean(this.#options.overrides?.[functionName]) || this.#options.functions.some((f) => f.name === functionName);
  }

  /** Synchronous invoke: resolves with the handler's result, rejects with {@link LambdaFunctionError}. */
  async invoke(functionName: string, event: unknown, requestId: string = randomUUID()): Promise<unknown> {
    const fn = this.#definition(functionName);
    const handler = await this.#handler(fn);
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = this.#context(fn, requestId, deadline);
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LambdaFunctionError(functionName, 'Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds}.00 seconds`)),
          fn.timeoutSeconds * 1000,
        );
      });
      try {
        return await Promise.race([handler(structuredClone(event), context), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      if (error instanceof LambdaFunctionError) throw error;
      const err = error instanceof Error ? error : new Error(String(error));
      throw new LambdaFunctionError(functionName, err.name || 'Error', err.message, { cause: err });
    }
  }

  /** Asynchronous (Event) invoke: returns the request id at once; failures are retried. */
  invokeAsync(functionName: string, event: unknown): string {
    this.#definition(functionName);
    const requestId = randomUUID();
    const delays = this.#options.asyncRetryDelaysMs ?? [1000, 2000];
    const run = async () => {
      for (let attempt = 0; attempt <= ASYNC_RETRY_ATTEMPTS; attempt++) {
        try {
          await this.invoke(functionName, event, requestId);
          return;
        } catch (error) {
          this.#options.log?.(`[lambda] ${functionName} ${requestId} attempt ${attempt + 1} failed: ${(error as Error).message}`);
          if (attempt === ASYNC_RETRY_ATTEMPTS) return;
          await new Promise((r) => setTimeout(r, delays[Math.min(attempt, delays.length - 1)]));
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

  #definition(functionName: string): LambdaFunction {
    const fn = this.#options.functions.find((f) => f.name === functionName);
    if (fn) return fn;
    if (this.#options.overrides?.[functionName]) {
      return { name: functionName, entry: '', timeoutSeconds: 60, memoryMb: 128, tables: [] };
    }
    throw new LambdaFunctionError(functionName, 'ResourceNotFoundException', `Function not found: ${functionName}`);
  }

  #handler(fn: LambdaFunction): Promise<LambdaHandler> {
    const override = this.#options.overrides?.[fn.name];
    if (override) return Promise.resolve(override);
    let loaded = this.#handlers.get(fn.name);
    if (!loaded) {
      loaded = import(resolve(REPO_ROOT, fn.entry)).then((mod: { handler?: LambdaHandler }) => {
        if (typeof mod.handler !== 'function') throw new Error(`${fn.entry} does not export a handler`);
        return mod.handler;
      });
      this.#handlers.set(fn.name, loaded);
    }
    return loaded;
  }

  #context(fn: LambdaFunction, requestId: string, deadline: number): LocalLambdaContext {
    const { region, accountId } = this.#options;
    return {
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${fn.name}`,
      memoryLimitInMB: String(fn.memoryMb),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `local/${requestId}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      callbackWaitsForEmptyEventLoop: true,
    };
  }
}
