/**
 * Crash and restart without loss: a real `npm start` (a copy of the repository, its own
 * state folder and ports) is killed with SIGKILL (its whole process group) while a turn
 * streams, then started again. The README's aws-amplify Node client then finds the turn
 * ended: its text up to the last checkpoint kept as an incomplete answer, billed once for
 * what was produced, the reservation released, and cancelChat answering that no such turn
 * is running. A completed conversation and its bill are unchanged, and a second crash and
 * start bills nothing again.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import { freePort } from '../../infra/local/ports.js';
import type { DeltaEvent } from '../../schema/stream-protocol.js';
import { copyRepository, npmStart, runNodeClient, type NpmStart } from './npm-start.js';

const ALICE = DEMO_USERS[0];
/** Long enough for a checkpoint (every 5 s) to land before the kill. */
const STREAM_BEFORE_KILL_IN_MS = 7_000;

describe('npm start killed with SIGKILL mid-stream, then started again', () => {
  let dir: string;
  let ports: { port: number; cognitoPort: number };
  let twin: NpmStart | undefined;

  const client = (request: Omit<Parameters<typeof runNodeClient>[1], 'email' | 'password'>) => runNodeClient(dir, { email: ALICE.email, password: ALICE.password, ...request });
  async function killAndStart() {
    await twin!.stop('SIGKILL');
    twin = await npmStart(dir, ports);
  }

  beforeAll(async () => {
    dir = copyRepository();
    ports = { port: await freePort(), cognitoPort: await freePort() };
    twin = await npmStart(dir, ports);
  }, 300_000);

  afterAll(async () => {
    await twin?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('ends the interrupted turn: text kept and marked incomplete, billed once for what was produced, reservation released', async () => {
    // A completed conversation, then a long turn left streaming.
    const done = await client({ conversationId: 'crash-done', newConversation: true, prompt: 'A short one. [[sim:tokens=20]]' });
    expect(done.messages.map((m) => m.status)).toEqual(['COMPLETE', 'COMPLETE']);
    const running = await client({
      conversationId: 'crash-mid',
      newConversation: true,
      prompt: 'A long one. [[sim:tokens=900]] [[sim:tps=25]]',
      leaveRunningAfterMs: STREAM_BEFORE_KILL_IN_MS,
    });
    const streamed = running.received
      .filter((event): event is DeltaEvent => event.type === 'delta')
      .sort((a, b) => a.seq - b.seq)
      .map((event) => event.text)
      .join('');
    expect(streamed.length).toBeGreaterThan(0);
    expect(running.received.some((event) => event.type === 'end' || event.type === 'error')).toBe(false);
    expect(running.dayUsage.reservedUsd).toBeGreaterThan(0);

    await killAndStart();
    const after = await client({ conversationId: 'crash-mid', cancelRequestId: running.requestId });

    expect(twin!.output()).toMatch(/ended 1 turn\(s\) interrupted/);
    expect(after.messages.map((m) => [m.role, m.status])).toEqual([
      ['USER', 'COMPLETE'],
      ['ASSISTANT', 'INCOMPLETE'],
    ]);
    const kept = after.messages[1];
    expect(kept.text.length).toBeGreaterThan(0);
    expect(streamed.startsWith(kept.text)).toBe(true);
    expect(kept.costUsd).toBeGreaterThan(0);
    // Billed what was produced (the kept answer), the reserve released, nothing else open.
    expect(after.dayUsage.reservedUsd).toBe(0);
    expect(after.dayUsage.spentUsd).toBeCloseTo(done.dayUsage.spentUsd + kept.costUsd!, 6);
    expect(after.dayUsage.requests).toBe(running.dayUsage.requests);
    expect(after.cancel).toMatchObject({ errorType: 'NotFound' });
    const doneAfter = await client({ conversationId: 'crash-done' });
    expect(doneAfter.messages).toEqual(done.messages);

    // Another crash and start: nothing is ended or billed again.
    await killAndStart();
    const again = await client({ conversationId: 'crash-mid' });
    expect(again.messages).toEqual(after.messages);
    expect(again.dayUsage).toEqual(after.dayUsage);
    expect(twin!.output()).not.toMatch(/ended \d+ turn\(s\) interrupted/);
  }, 600_000);
});
