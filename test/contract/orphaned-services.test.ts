/**
 * A twin that dies without cleaning up (SIGKILL, a crash) leaves cognito-local and
 * DynamoDB Local running; the next `npm start` stops them (infra/local/service-pids.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessRunning, recordServices, stopOrphanedServices, type RecordedService } from '../../infra/local/service-pids.js';

const SCRIPT = resolve(import.meta.dirname, '../fixtures/services/start-and-record.ts');

describe('services left running by a twin that was killed', () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-orphans-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('are stopped by the next start, which then forgets them', async () => {
    // Prepare: a process starts the services as npm start does, and is SIGKILLed.
    const starter = spawn(process.execPath, ['--import', 'tsx', SCRIPT, root], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: starter.stdout! });
    await new Promise<void>((ready, fail) => {
      lines.on('line', (line) => line.startsWith('ready') && ready());
      starter.once('exit', (code) => fail(new Error(`the starter exited with ${code} before it was ready`)));
    });
    const recorded = JSON.parse(readFileSync(join(root, 'services.json'), 'utf8')) as RecordedService[];
    const killed = new Promise((exited) => starter.once('exit', exited));
    starter.kill('SIGKILL');
    await killed;
    expect(recorded.map((s) => s.name).sort()).toEqual(['DynamoDB Local', 'cognito-local']);
    expect(recorded.every((s) => isProcessRunning(s.pid))).toBe(true);
    // Act
    const stopped = await stopOrphanedServices(root);
    // Assess
    expect(stopped.sort()).toEqual(['DynamoDB Local', 'cognito-local']);
    expect(recorded.filter((s) => isProcessRunning(s.pid))).toEqual([]);
    expect(existsSync(join(root, 'services.json'))).toBe(false);
  }, 60_000);

  it('leaves alone a recorded pid that now belongs to another program', async () => {
    // Prepare: the pid was reused, here by this test's own process.
    recordServices(root, [{ name: 'DynamoDB Local', pid: process.pid, commandLineMarker: 'DynamoDBLocal.jar' }]);
    // Act
    const stopped = await stopOrphanedServices(root);
    // Assess
    expect(stopped).toEqual([]);
    expect(isProcessRunning(process.pid)).toBe(true);
  });

  it('starts normally when there is no record or it is unreadable', async () => {
    rmSync(join(root, 'services.json'), { force: true });
    expect(await stopOrphanedServices(root)).toEqual([]);
    writeFileSync(join(root, 'services.json'), 'not json');
    expect(await stopOrphanedServices(root)).toEqual([]);
  });
});
