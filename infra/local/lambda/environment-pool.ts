/**
 * The execution environments of one function: a warm one is reused, a new one starts
 * (a cold start) when every warm one is busy, up to the function's concurrency. An idle
 * environment is frozen until its next invocation and reclaimed after a while, as Lambda
 * freezes and reclaims them.
 *
 * Unlike Lambda, which starts an environment for every concurrent request at once, the
 * twin starts at most {@link MAX_STARTS_AT_ONCE} at a time per function and lets the
 * other requests take whichever environment comes free first. On a laptop a burst of 100
 * requests would otherwise start 100 processes at once and spend its cores loading them.
 */
import { availableParallelism } from 'node:os';
import type { ExecutionEnvironment } from './execution-environment.js';

/** Cold starts of one function in progress at once: one per core. */
export const MAX_STARTS_AT_ONCE = Math.max(2, availableParallelism());

/** How long an idle environment stays warm before the twin reclaims it. */
export const IDLE_ENVIRONMENT_LIFETIME_IN_MS = 10 * 60_000;

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
   * @throws the init error when a new environment fails to start
   */
  async acquire(options: { wait: boolean }): Promise<Lease | undefined> {
    for (;;) {
      const warm = this.#takeIdle();
      if (warm) return { environment: warm, cold: false };
      const atConcurrency = this.size >= this.#concurrency;
      if (atConcurrency && !options.wait) return undefined;
      if (!atConcurrency && this.#starting < MAX_STARTS_AT_ONCE) return { environment: await this.#startOne(), cold: true };
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Gives an environment back after an invocation; an ended one is dropped. */
  release(environment: ExecutionEnvironment): void {
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
    try {
      const environment = await this.#start();
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
