/**
 * One Lambda execution environment on the twin: a Node process of its own, started with
 * only its function's environment, the function's heap limit and the runtime in
 * bootstrap.ts. It runs one invocation at a time; a timeout, a crash or running out of
 * memory ends it, as each ends an environment on Lambda.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { EnvironmentToTwin, ErrorPayload, InvocationContext } from './messages.js';
import { killEnvironmentsOnExit } from './orphaned-environments.js';

/** How long a shutting-down environment may take to exit before it is killed. */
const SHUTDOWN_GRACE_IN_MS = 2_000;

export interface EnvironmentOptions {
  functionName: string;
  bootstrapPath: string;
  bundlePath: string;
  memoryMb: number;
  environment: Record<string, string>;
  /** Extra Node flags for the environment's process (a diagnostic such as `--cpu-prof`); none by default. */
  nodeArgs?: string[];
  /** Receives each line the function writes (its console, Powertools, EMF). */
  onLine(line: string): void;
}

/** How an invocation ended, with what Lambda's REPORT line needs. */
export type InvocationOutcome =
  | { kind: 'result'; payloadJson: string; durationMs: number; maxMemoryUsedMb: number }
  | { kind: 'error'; error: ErrorPayload; durationMs: number; maxMemoryUsedMb: number };

/** A streaming invocation's response listener, and the signal that the client went away. */
export interface StreamListener {
  onMessage(message: Extract<EnvironmentToTwin, { type: 'stream-content-type' | 'stream-chunk' }>): void;
  signal: AbortSignal;
}

export class ExecutionEnvironment {
  readonly #options: EnvironmentOptions;
  readonly #child: ChildProcess;
  /** The process has exited. */
  #exited = false;
  /** The environment takes no more invocations: it was killed or its process exited. */
  #ended = false;
  #exitDescription: string | undefined;
  #partialLine = '';
  #maxMemoryUsedMb = 0;
  #pending: ((message: EnvironmentToTwin | { type: 'exit' }) => void) | undefined;
  /** Receives the running streaming invocation's response (content type, chunks). */
  #onStream: ((message: Extract<EnvironmentToTwin, { type: 'stream-content-type' | 'stream-chunk' }>) => void) | undefined;
  /** Milliseconds the init phase took; reported on the first invocation's REPORT only. */
  initDurationMs = 0;

  private constructor(options: EnvironmentOptions) {
    this.#options = options;
    this.#child = fork(options.bootstrapPath, [options.bundlePath], {
      env: options.environment,
      // The function's memory size is its heap limit, as the sandbox's memory is on Lambda.
      execArgv: [`--max-old-space-size=${options.memoryMb}`, ...(options.nodeArgs ?? [])],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    killEnvironmentsOnExit(this.#child);
    // What the runtime writes itself (V8's out-of-memory report, a crash) arrives on the pipes.
    this.#child.stdout!.on('data', (chunk: Buffer) => this.#write(chunk.toString('utf8')));
    this.#child.stderr!.on('data', (chunk: Buffer) => this.#write(chunk.toString('utf8')));
    this.#child.on('message', (message: EnvironmentToTwin) => {
      if (message.type === 'log') return this.#write(message.text);
      if (message.type === 'stream-content-type' || message.type === 'stream-chunk') return this.#onStream?.(message);
      if ('maxMemoryUsedMb' in message) this.#maxMemoryUsedMb = Math.max(this.#maxMemoryUsedMb, message.maxMemoryUsedMb);
      this.#pending?.(message);
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = true;
      this.#ended = true;
      this.#exitDescription = signal ? `signal: ${signal === 'SIGABRT' ? 'aborted' : signal === 'SIGKILL' ? 'killed' : signal}` : `exit status ${code}`;
      this.#flush();
      this.#pending?.({ type: 'exit' });
    });
    this.#child.on('error', () => undefined);
  }

  /**
   * Starts an environment and runs its init phase.
   * @throws {@link ErrorPayload} when the function fails to load (the error Lambda reports)
   */
  static async start(options: EnvironmentOptions): Promise<ExecutionEnvironment> {
    const environment = new ExecutionEnvironment(options);
    const message = await environment.#next();
    if (message.type === 'ready') {
      environment.initDurationMs = message.initDurationMs;
      return environment;
    }
    environment.kill();
    if (message.type === 'init-error') throw message.error;
    throw environment.#exitError();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Runs one invocation; resolves with its outcome, whether the function succeeded or not. */
  async invoke(eventJson: string, context: InvocationContext, stream?: StreamListener): Promise<InvocationOutcome> {
    const started = performance.now();
    const reply = this.#next();
    this.#onStream = stream?.onMessage;
    const abort = () => {
      if (!this.#ended) this.#child.send({ type: 'stream-abort', requestId: context.awsRequestId });
    };
    stream?.signal.addEventListener('abort', abort, { once: true });
    this.#child.send({ type: 'invoke', eventJson, context });
    const message = await reply;
    this.#onStream = undefined;
    stream?.signal.removeEventListener('abort', abort);
    const durationMs = performance.now() - started;
    const maxMemoryUsedMb = this.#maxMemoryUsedMb;
    if (message.type === 'result') return { kind: 'result', payloadJson: message.payloadJson, durationMs, maxMemoryUsedMb };
    if (message.type === 'error') {
      if (message.fatal) this.kill();
      return { kind: 'error', error: message.error, durationMs, maxMemoryUsedMb };
    }
    return { kind: 'error', error: this.#exitError(context.awsRequestId), durationMs, maxMemoryUsedMb: this.#options.memoryMb };
  }

  /**
   * Freezes the process between invocations, as Lambda freezes an idle environment: its
   * timers and background work stop, and it costs no CPU until {@link thaw}.
   */
  freeze(): void {
    if (!this.#ended) this.#child.kill('SIGSTOP');
  }

  thaw(): void {
    if (!this.#ended) this.#child.kill('SIGCONT');
  }

  /** Ends the environment at once (a timeout, shutdown). */
  kill(): void {
    if (this.#exited) return;
    this.#ended = true;
    this.#child.kill('SIGKILL');
  }

  /**
   * Ends the environment when the twin shuts down: the runtime exits on SIGTERM (so a
   * profile or coverage Node was asked for gets written), and a process that has not
   * exited within {@link SHUTDOWN_GRACE_IN_MS} is killed.
   */
  async shutdown(): Promise<void> {
    if (this.#exited) return;
    this.#ended = true;
    this.#child.kill('SIGCONT');
    this.#child.kill('SIGTERM');
    const grace = setTimeout(() => this.#child.kill('SIGKILL'), SHUTDOWN_GRACE_IN_MS);
    await this.exited();
    clearTimeout(grace);
  }

  /** Resolves once the process has exited. */
  async exited(): Promise<void> {
    if (this.#exited) return;
    await new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
  }

  #next(): Promise<EnvironmentToTwin | { type: 'exit' }> {
    if (this.#exited) return Promise.resolve({ type: 'exit' });
    return new Promise((resolve) => {
      this.#pending = (message) => {
        this.#pending = undefined;
        resolve(message);
      };
    });
  }

  #exitError(requestId?: string): ErrorPayload {
    const prefix = requestId ? `RequestId: ${requestId} ` : '';
    return { errorType: 'Runtime.ExitError', errorMessage: `${prefix}Error: Runtime exited with error: ${this.#exitDescription ?? 'exit status 1'}` };
  }

  #write(text: string): void {
    const lines = (this.#partialLine + text).split('\n');
    this.#partialLine = lines.pop()!;
    for (const line of lines) this.#options.onLine(line);
  }

  #flush(): void {
    if (this.#partialLine) this.#options.onLine(this.#partialLine);
    this.#partialLine = '';
  }
}
