import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaFunction } from '../../infra/gateway.js';
import { LambdaFunctionError, LocalLambdaInvoker } from '../../infra/local/lambda.js';
import { unreachableServices } from '../helpers/lambda-settings.js';

const fixture = (name: string) => `test/fixtures/lambda/${name}.ts`;
const scratch = mkdtempSync(join(tmpdir(), 'sluice-lambda-'));

const FUNCTIONS: LambdaFunction[] = [
  { name: 'readsItsEnvironment', entry: fixture('environment'), timeoutSeconds: 10, memoryMb: 128, tables: [], environment: { OWN_SETTING: 'mine' } },
  { name: 'hasASecret', entry: fixture('environment'), timeoutSeconds: 10, memoryMb: 128, tables: [], environment: { OTHER_SECRET: 'not for you' } },
  { name: 'sleeps', entry: fixture('sleeper'), timeoutSeconds: 1, memoryMb: 128, tables: [], reservedConcurrency: 2 },
  { name: 'crashes', entry: fixture('crasher'), timeoutSeconds: 10, memoryMb: 128, tables: [] },
  { name: 'failsFirstInit', entry: fixture('fails-first-init'), timeoutSeconds: 10, memoryMb: 128, tables: [], environment: { FIRST_INIT_MARKER: join(scratch, 'marker') } },
  { name: 'hogsMemory', entry: fixture('memory-hog'), timeoutSeconds: 30, memoryMb: 128, tables: [] },
  { name: 'logs', entry: fixture('logger'), timeoutSeconds: 10, memoryMb: 128, tables: [] },
];

const SETTINGS = unreachableServices(join(scratch, 'ca.pem'), { TABLE_THINGS: 'test-things' });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the invocation should have failed'),
    (error: unknown) => error as LambdaFunctionError,
  );

/**
 * The twin's Lambda: each function in execution environments of its own (a process each),
 * behaving the way Lambda does for environment variables, reuse, throttling, timeouts,
 * crashes, memory and logs.
 */
describe('Lambda execution environments on the twin', () => {
  const lines: string[] = [];
  let lambda: LocalLambdaInvoker;

  beforeAll(() => {
    // The twin process's own variables must not reach a function.
    process.env.SLUICE_TWIN_ONLY = 'twin';
    lambda = new LocalLambdaInvoker({ functions: FUNCTIONS, settings: SETTINGS, accountId: '000000000000', log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    delete process.env.SLUICE_TWIN_ONLY;
    await lambda.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("sees its own variables and Lambda's, never another function's or the twin's", async () => {
    // Act
    const { env, pid } = (await lambda.invoke('readsItsEnvironment', {})) as { env: Record<string, string>; pid: number };

    // Assess
    expect(pid).not.toBe(process.pid);
    expect(env).toMatchObject({
      OWN_SETTING: 'mine',
      TABLE_THINGS: 'test-things',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'readsItsEnvironment',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_ACCESS_KEY_ID: 'AKIATESTLAMBDA000001',
      NODE_EXTRA_CA_CERTS: SETTINGS.caPath,
    });
    expect(env).not.toHaveProperty('OTHER_SECRET');
    expect(env).not.toHaveProperty('SLUICE_TWIN_ONLY');
    expect(env).not.toHaveProperty('HOME');
  });

  it('reuses a warm environment, and starts another only while the first is busy', async () => {
    // Act
    const first = (await lambda.invoke('sleeps', { ms: 1 })) as { pid: number };
    const second = (await lambda.invoke('sleeps', { ms: 1 })) as { pid: number };
    const together = (await Promise.all([lambda.invoke('sleeps', { ms: 300 }), lambda.invoke('sleeps', { ms: 300 })])) as { pid: number }[];

    // Assess
    expect(second.pid).toBe(first.pid);
    expect(new Set(together.map((r) => r.pid)).size).toBe(2);
  });

  it('throttles a synchronous call beyond the concurrency as Lambda does, and queues an asynchronous one', async () => {
    // Prepare: both environments of `sleeps` busy.
    const busy = [lambda.invoke('sleeps', { ms: 500 }), lambda.invoke('sleeps', { ms: 500 })];
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Act
    const throttled = await failure(lambda.invoke('sleeps', { ms: 1 }));
    const queuedId = lambda.invokeAsync('sleeps', { ms: 1 });
    await Promise.all(busy);
    await lambda.drain();

    // Assess
    expect(throttled).toBeInstanceOf(LambdaFunctionError);
    expect(throttled).toMatchObject({ errorType: 'TooManyRequestsException', statusCode: 429, message: 'Rate Exceeded.' });
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[sleeps\\] END RequestId: ${queuedId}$`)));
  });

  it('ends an invocation that outlives its timeout with Lambda\'s error, and serves the next call from a fresh environment', async () => {
    // Prepare
    const before = (await lambda.invoke('sleeps', { ms: 1 })) as { pid: number };

    // Act
    const timedOut = await failure(lambda.invoke('sleeps', { ms: 5_000 }));
    const after = (await lambda.invoke('sleeps', { ms: 1 })) as { pid: number };

    // Assess
    expect(timedOut).toMatchObject({ errorType: 'Sandbox.Timedout', message: 'Task timed out after 1.00 seconds' });
    expect(lines).toContainEqual(expect.stringMatching(/^\[sleeps\] REPORT RequestId: \S+\tDuration: 1000\.00 ms\tBilled Duration: 1000 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: timeout$/));
    expect(after.pid).not.toBe(before.pid);
  });

  it('gives a fresh environment after a crash mid-invocation', async () => {
    // Prepare
    const before = (await lambda.invoke('crashes', {})) as { pid: number };

    // Act
    const exited = await failure(lambda.invoke('crashes', { crash: 'exit' }));
    const afterExit = (await lambda.invoke('crashes', {})) as { pid: number };
    const uncaught = await failure(lambda.invoke('crashes', { crash: 'uncaught' }));
    const afterUncaught = (await lambda.invoke('crashes', {})) as { pid: number };

    // Assess
    expect(exited).toMatchObject({ errorType: 'Runtime.ExitError', message: expect.stringMatching(/Runtime exited with error: exit status 3$/) });
    expect(uncaught).toMatchObject({ errorType: 'TypeError', message: 'thrown where nothing awaits' });
    expect(new Set([before.pid, afterExit.pid, afterUncaught.pid]).size).toBe(3);
  });

  it('reports a function that throws while loading, and loads it afresh on the next call', async () => {
    // Act
    const initFailure = await failure(lambda.invoke('failsFirstInit', {}));
    const next = await lambda.invoke('failsFirstInit', {});

    // Assess
    expect(initFailure).toMatchObject({ errorType: 'Error', message: 'the configuration could not be read' });
    expect(lines).toContainEqual('[failsFirstInit] INIT_REPORT Phase: init Status: error Error Type: Error');
    expect(next).toHaveProperty('pid');
  });

  it('ends an environment that runs out of its memory size with Runtime.ExitError', async () => {
    // Act
    const outOfMemory = await failure(lambda.invoke('hogsMemory', {}));

    // Assess
    expect(outOfMemory).toMatchObject({ errorType: 'Runtime.ExitError', message: expect.stringMatching(/Runtime exited with error: (signal: aborted|exit status \d+)$/) });
  }, 60_000);

  it("shows the function's console lines under its name, between START and a REPORT with plausible figures", async () => {
    // Act
    await lambda.invoke('logs', { say: 'hello' }, 'req-logs-1');
    await lambda.invoke('logs', { say: 'again' }, 'req-logs-2');

    // Assess
    const mine = lines.filter((line) => line.startsWith('[logs] '));
    const first = mine.slice(mine.indexOf('[logs] START RequestId: req-logs-1 Version: $LATEST'));
    expect(first[1]).toMatch(/^\[logs\] \d{4}-\d\d-\d\dT[\d:.]+Z\treq-logs-1\tINFO\thandling hello$/);
    expect(first[2]).toMatch(/^\[logs\] \S+\treq-logs-1\tERROR\ta second line\rwith a newline$/);
    expect(first[3]).toBe('[logs] END RequestId: req-logs-1');
    const [, duration, billed, memorySize, maxUsed, init] = first[4]!.match(
      /^\[logs\] REPORT RequestId: req-logs-1\tDuration: ([\d.]+) ms\tBilled Duration: (\d+) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\tInit Duration: ([\d.]+) ms$/,
    )!;
    expect(Number(billed)).toBe(Math.max(1, Math.ceil(Number(duration))));
    expect(Number(memorySize)).toBe(128);
    expect(Number(maxUsed)).toBeGreaterThan(20);
    expect(Number(maxUsed)).toBeLessThanOrEqual(128);
    expect(Number(init)).toBeGreaterThan(0);
    // A warm invocation reports no init.
    expect(mine.find((line) => line.startsWith('[logs] REPORT RequestId: req-logs-2'))).not.toContain('Init Duration');
  });
});
