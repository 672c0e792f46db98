import { describe, expect, it } from 'vitest';
import { EnvironmentPool } from '../../infra/local/lambda/environment-pool.js';
import type { ExecutionEnvironment } from '../../infra/local/lambda/execution-environment.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An environment as the pool sees it: no process, only the calls the pool makes. */
function fakeEnvironment(): ExecutionEnvironment {
  return { ended: false, freeze() {}, thaw() {}, kill() {}, exited: async () => {}, shutdown: async () => {} } as unknown as ExecutionEnvironment;
}

/** A pool whose starts take `startMs`, counting them. */
function poolWithStarts(startMs: number, concurrency = 100) {
  const counts = { starts: 0 };
  const pool = new EnvironmentPool(concurrency, async () => {
    counts.starts += 1;
    await sleep(startMs);
    return fakeEnvironment();
  });
  return { pool, counts };
}

/** One invocation holding an environment for `ms`. */
async function invocation(pool: EnvironmentPool, ms: number): Promise<ExecutionEnvironment> {
  const lease = await pool.acquire({ wait: true });
  await sleep(ms);
  pool.release(lease!.environment);
  return lease!.environment;
}

/**
 * How the twin chooses between starting an execution environment and waiting for a busy
 * one: a start costs a laptop hundreds of milliseconds of CPU, so a burst of short
 * invocations is served by the warm environments, and long ones still get new environments.
 */
describe('the environment pool under a burst', () => {
  it('serves a burst of short invocations from its warm environments instead of starting one per request', async () => {
    // Prepare: two warm environments, a start that takes 200 ms, invocations of 5 ms.
    const { pool, counts } = poolWithStarts(200);
    await Promise.all([invocation(pool, 5), invocation(pool, 5)]);
    await Promise.all([invocation(pool, 5), invocation(pool, 5)]);

    // Act
    const served = await Promise.all(Array.from({ length: 40 }, () => invocation(pool, 5)));

    // Assess: every request served; at most the one start Lambda's rule gives the first request that finds both busy.
    expect(served).toHaveLength(40);
    expect(counts.starts).toBeLessThanOrEqual(3);
    await pool.close();
  });

  it('starts new environments when the invocations outlast a start', async () => {
    // Prepare: one warm environment, a start that takes 20 ms, invocations of 300 ms.
    const { pool, counts } = poolWithStarts(20);
    await invocation(pool, 300);

    // Act
    const started = performance.now();
    const served = await Promise.all(Array.from({ length: 8 }, () => invocation(pool, 300)));

    // Assess: all eight ran side by side, in about one invocation's time, not eight in a row.
    expect(new Set(served).size).toBe(8);
    expect(counts.starts).toBe(8);
    expect(performance.now() - started).toBeLessThan(1_500);
    await pool.close();
  });

  it('still throttles a request that does not wait once the concurrency is used up', async () => {
    // Prepare: concurrency 2, both busy.
    const { pool } = poolWithStarts(10, 2);
    const busy = [invocation(pool, 200), invocation(pool, 200)];
    await sleep(50);

    // Act
    const lease = await pool.acquire({ wait: false });

    // Assess
    expect(lease).toBeUndefined();
    await Promise.all(busy);
    await pool.close();
  });
});
