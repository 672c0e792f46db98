/**
 * The execution environments of one function: a warm one is reused, a new one starts
 * (a cold start) when every warm one is busy, up to the function's concurrency. An idle
 * environment is frozen until its next invocation and reclaimed after a while, as Lambda
 * freezes and reclaims them.
 *
 * Unlike Lambda, which starts an environment for every concurrent request at once, the
 * twin starts at most {@link MAX_STARTS_AT_ONCE} at a time per function, and while one is
 * starting, a further request starts another only if a warm environment is not expected
 * to come free sooner (see {@link EnvironmentPool.acquire}). On a laptop a start costs
 * hundreds of milliseconds of CPU (loading the SDK); a burst of 200 requests would
 * otherwise start 100 processes at once and spend its cores loading them.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ExecutionEnvironment } from './execution-environment.js';

/** Cold starts of one function in progress at once: one per core. */
export const MAX_STARTS_AT_ONCE = Math.max(2, availableParallelism());

/** How long an idle environment stays warm before the twin reclaims it. */
export const IDLE_ENVIRONMENT_LIFETIME_IN_MS = 10 * 60_000;

/** How much the latest sample weighs in a running mean of durations. */
const DURATION_SAMPLE_WEIGHT = 0.2;

/** A running (exponentially weighted) mean of durations, unknown until the first sample. */
class DurationMean {
  #meanMs: number | undefined;

  get ms(): number | undefined {
    return this.#meanMs;
  }

  add(ms: number): void {
    this.#meanMs = this.#meanMs === undefined ? ms : this.#meanMs + DURATION_SAMPLE_WEIGHT * (ms - this.#meanMs);
  }
}

export interface Lease {
  environment: ExecutionEnvironment;
  /** True when the environment was started for this invocation. */
  cold: boolean;
}

export class EnvironmentPool {
  readonly #concurrency: number;
  readonly #start: () => Promise<ExecutionEnvironment>;
  readonly #idle: ExecutionEnvironment[] = [];
  readonly #all = new Set<ExecutionEnvironment>();
  readonly #reclaimTimers = new Map<ExecutionEnvironment, NodeJS.Timeout>();
  #starting = 0;
  #waiters: (() => void)[] = [];
  /** When each busy environment's invocation began. */
  readonly #busySince = new Map<ExecutionEnvironment, number>();
  readonly #startDuration = new DurationMean();
  readonly #invocationDuration = new DurationMean();

  constructor(concurrency: number, start: () => Promise<ExecutionEnvironment>) {
    this.#concurrency = concurrency;
    this.#start = start;
  }

  /** Environments alive or starting. */
  get size(): number {
    return this.#all.size + this.#starting;
  }

  /**
   * A free environment, warm if one is. When the concurrency is used up, `undefined` (a
   * throttle), or with `wait` the next one to come free.
   *
   * A request that finds every warm environment busy, and no start or request ahead of it,
   * starts a new one, as on Lambda. Otherwise it starts another only when it expects to
   * wait longer for a busy environment to come free (the requests queued ahead of it times
   * the mean invocation, shared among the busy environments) than a start takes; otherwise
   * it queues, and looks again when an environment comes free or a start's time has passed.
   * @throws the init error when a new environment fails to start
   */
  async acquire(options: { wait: boolean }): Promise<Lease | undefined> {
    for (;;) {
      const warm = this.#takeIdle();
      if (warm) return this.#lease(warm, false);
      const atConcurrency = this.size >= this.#concurrency;
      if (atConcurrency && !options.wait) return undefined;
      if (!atConcurrency && this.#starting < MAX_STARTS_AT_ONCE) {
        if ((this.#starting === 0 && this.#waiters.length === 0) || !this.#warmOneComesFreeSooner()) return this.#lease(await this.#startOne(), true);
        await this.#waitForAChange(this.#startDuration.ms!);
        continue;
      }
      await this.#waitForAChange();
    }
  }

  /** Gives an environment back after an invocation; an ended one is dropped. */
  release(environment: ExecutionEnvironment): void {
    const since = this.#busySince.get(environment);
    this.#busySince.delete(environment);
    if (since !== undefined) this.#invocationDuration.add(performance.now() - since);
    if (environment.ended) {
      this.#all.delete(environment);
    } else {
      environment.freeze();
      this.#idle.push(environment);
      this.#reclaimTimers.set(
        environment,
        setTimeout(() => this.#reclaim(environment), IDLE_ENVIRONMENT_LIFETIME_IN_MS).unref(),
      );
    }
    this.#waiters.shift()?.();
  }

  /** Ends every environment, busy or idle. */
  async close(): Promise<void> {
    for (const timer of this.#reclaimTimers.values()) clearTimeout(timer);
    const environments = [...this.#all];
    await Promise.all(environments.map((environment) => environment.shutdown()));
  }

  #lease(environment: ExecutionEnvironment, cold: boolean): Lease {
    this.#busySince.set(environment, performance.now());
    return { environment, cold };
  }

  /** Whether the next request in line should get a busy environment sooner than a start would give it one. */
  #warmOneComesFreeSooner(): boolean {
    const startMs = this.#startDuration.ms;
    const meanInvocationMs = this.#invocationDuration.ms;
    if (startMs === undefined || meanInvocationMs === undefined || this.#busySince.size === 0) return false;
    // Invocations running longer than the mean so far say the mean is stale: count them at their length.
    const now = performance.now();
    let busyMs = 0;
    for (const since of this.#busySince.values()) busyMs += Math.max(meanInvocationMs, now - since);
    const invocationMs = busyMs / this.#busySince.size;
    const expectedWaitMs = ((this.#waiters.length + 1) * invocationMs) / this.#busySince.size;
    return expectedWaitMs < startMs;
  }

  /** Waits until an environment or a start slot comes free, or `timeoutMs` has passed. */
  async #waitForAChange(timeoutMs?: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              const index = this.#waiters.indexOf(wake);
              if (index !== -1) this.#waiters.splice(index, 1);
              resolve();
            }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(wake);
    });
  }

  #takeIdle(): ExecutionEnvironment | undefined {
    for (let environment = this.#idle.pop(); environment; environment = this.#idle.pop()) {
      clearTimeout(this.#reclaimTimers.get(environment));
      this.#reclaimTimers.delete(environment);
      if (!environment.ended) {
        environment.thaw();
        return environment;
      }
      this.#all.delete(environment);
    }
    return undefined;
  }

  async #startOne(): Promise<ExecutionEnvironment> {
    this.#starting += 1;
    const started = performance.now();
    try {
      const environment = await this.#start();
      this.#startDuration.add(performance.now() - started);
      this.#all.add(environment);
      return environment;
    } finally {
      this.#starting -= 1;
      // A start slot is free again: whoever waits may start the next environment.
      this.#waiters.shift()?.();
    }
  }

  #reclaim(environment: ExecutionEnvironment): void {
    const index = this.#idle.indexOf(environment);
    if (index === -1) return;
    this.#idle.splice(index, 1);
    this.#reclaimTimers.delete(environment);
    this.#all.delete(environment);
    environment.kill();
  }
}
