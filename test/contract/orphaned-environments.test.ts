/**
 * An idle execution environment is frozen (SIGSTOP) and cannot notice its twin dying. A
 * twin that crashes kills its environments on the way out; the environments of a
 * SIGKILLed twin are killed by the next `npm start` (infra/local/lambda/orphaned-environments.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalLambdaInvoker } from '../../infra/local/lambda.js';
import { runtimeMarker } from '../../infra/local/lambda/bundles.js';
import { stopOrphanedEnvironments } from '../../infra/local/lambda/orphaned-environments.js';
import { isProcessRunning } from '../../infra/local/service-pids.js';
import { unreachableServices } from '../helpers/lambda-settings.js';

const SCRIPT = resolve(import.meta.dirname, '../fixtures/lambda/leaves-environment.ts');

/** The process state letter from /proc (`T`: stopped). */
const stateOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
};

/** Starts a twin's Lambda host that leaves one frozen environment; resolves with both processes. */
async function twinWithFrozenEnvironment(mode: 'wait' | 'crash') {
  const twin = spawn(process.execPath, ['--import', 'tsx', SCRIPT, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((done) => twin.once('exit', () => done()));
  const environmentPid = await new Promise<number>((ready, fail) => {
    createInterface({ input: twin.stdout! }).on('line', (line) => line.startsWith('ready ') && ready(Number(line.slice(6))));
    void exited.then(() => fail(new Error('the twin exited before its environment was ready')));
  });
  return { twin, exited, environmentPid };
}

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && isProcessRunning(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !isProcessRunning(pid);
}

describe.runIf(process.platform === 'linux')('execution environments a dead twin left frozen', () => {
  const live = new LocalLambdaInvoker({
    functions: [{ name: 'readsItsEnvironment', entry: 'test/fixtures/lambda/environment.ts', timeoutSeconds: 10, memoryMb: 128, tables: [] }],
    settings: unreachableServices('/nonexistent/ca.pem'),
    accountId: '000000000000',
  });
  afterAll(() => live.close());

  it('are killed by the next start, which leaves a running twin’s environments alone', async () => {
    // Prepare: a running twin (this process) with a frozen environment, and a twin that is SIGKILLed with one.
    const { pid: livePid } = (await live.invoke('readsItsEnvironment', {})) as { pid: number };
    const { twin, exited, environmentPid } = await twinWithFrozenEnvironment('wait');
    twin.kill('SIGKILL');
    await exited;
    expect(stateOf(environmentPid)).toBe('T');

    // Act
    const killed = stopOrphanedEnvironments(runtimeMarker());

    // Assess
    expect(killed).toBeGreaterThanOrEqual(1);
    expect(await waitUntilGone(environmentPid)).toBe(true);
    expect(isProcessRunning(livePid)).toBe(true);
    expect(await live.invoke('readsItsEnvironment', {})).toMatchObject({ pid: livePid });
  }, 60_000);

  it('are killed by a twin that dies of an uncaught error', async () => {
    // Act
    const { exited, environmentPid } = await twinWithFrozenEnvironment('crash');
    await exited;

    // Assess
    expect(await waitUntilGone(environmentPid)).toBe(true);
  }, 60_000);
});
