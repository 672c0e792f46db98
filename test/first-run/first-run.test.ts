/**
 * The first run, as a newcomer does it: `npm start` from a copy of the repository with no
 * environment the README does not give (its own state folder and ports), then the README's
 * aws-amplify Node client and the web app in chromium; Ctrl-C and start again; SIGKILL and
 * start again. Each start must stream turns to subscribers and keep what users made.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { StreamEvent } from '../../schema/stream-protocol.js';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import { freePort } from '../../infra/local/ports.js';
import { isProcessRunning } from '../../infra/local/service-pids.js';
import { launchBrowser, newPage, saveScreenshot, signInAs } from '../helpers/browser.js';
import type { ClientReport } from './node-client.js';
import { copyRepository, npmStart, recordedServicePids, runNodeClient, type NpmStart } from './npm-start.js';

const [ALICE, , ADMIN] = DEMO_USERS;
const SIMULATOR_MODEL_ID = 'sluice.simulator';
const CONVERSATION_ID = 'first-run-rivers';
const ANSWER_TIMEOUT_IN_MS = 30_000;

/** A turn as its subscriber saw it: `start`, deltas in `seq` order, `end`, and nothing missing. */
function expectStreamedTurn(report: ClientReport) {
  expect(report.streamError, 'the subscriber never saw the turn end').toBeUndefined();
  const received: StreamEvent[] = report.received;
  const bySeq = [...new Map(received.map((e) => [e.seq, e])).values()];
  expect(bySeq.map((e) => e.seq)).toEqual([...bySeq.keys()]);
  expect(bySeq[0]?.type).toBe('start');
  expect(bySeq.at(-1)?.type).toBe('end');
  const deltas = bySeq.slice(1, -1);
  expect(deltas.length).toBeGreaterThan(0);
  expect(deltas.every((e) => e.type === 'delta')).toBe(true);
  // Delivered in order: no event arrived after one with a higher seq.
  const arrival = received.map((e) => e.seq);
  expect(arrival).toEqual([...arrival].sort((a, b) => a - b));
  const text = deltas.map((e) => (e.type === 'delta' ? e.text : '')).join('');
  expect(report.messages.at(-1)).toMatchObject({ role: 'ASSISTANT', status: 'COMPLETE', text });
}

describe('npm start, as a newcomer runs it', () => {
  let dir: string;
  let ports: { port: number; cognitoPort: number };
  let twin: NpmStart | undefined;
  let browser: Browser | undefined;
  const url = () => `https://localhost:${ports.port}`;

  /** Starts (again) and opens chromium trusting this twin's certificate. */
  async function start() {
    twin = await npmStart(dir, ports);
    await browser?.close();
    browser = await launchBrowser({ port: ports.port });
  }

  async function adminSeesTheDashboard(screenshots: boolean) {
    const page: Page = await newPage(browser!);
    await signInAs(page, { url: url() }, ADMIN.email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Cost dashboard' }).waitFor();
    const aliceRow = page.locator(`[data-testid="user-row"][data-email="${ALICE.email}"]`);
    await aliceRow.waitFor({ timeout: ANSWER_TIMEOUT_IN_MS });
    expect(Number(await aliceRow.getAttribute('data-cost-usd'))).toBeGreaterThan(0);
    if (screenshots) {
      await saveScreenshot(page, 'first-run-admin-dashboard', { docsName: 'admin-dashboard' });
      await aliceRow.getByRole('link').click();
      await page.getByTestId('user-summary').waitFor();
      await saveScreenshot(page, 'first-run-admin-user-drilldown', { docsName: 'admin-user-drilldown' });
    }
    await page.context().close();
  }

  beforeAll(async () => {
    dir = copyRepository();
    ports = { port: await freePort(), cognitoPort: await freePort() };
    await start();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (twin) {
      const pids = recordedServicePidsOrNone(dir);
      await twin.stop('SIGINT');
      for (const pid of pids) expect(isProcessRunning(pid), `service ${pid} still runs after Ctrl-C`).toBe(false);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('streams a demo user\'s turn to an aws-amplify subscriber in Node: start, ordered deltas, end', async () => {
    const report = await runNodeClient(dir, { email: ALICE.email, password: ALICE.password, conversationId: CONVERSATION_ID, newConversation: true, prompt: 'Tell me about rivers. [[sim:tokens=40]]' });
    expect(report.groups).toEqual(['users']);
    expectStreamedTurn(report);
  }, 120_000);

  it('streams an answer in the web app and shows its cost', async () => {
    const page = await newPage(browser!);
    await signInAs(page, { url: url() }, ALICE.email);
    await page.getByLabel('Model').selectOption(SIMULATOR_MODEL_ID);
    await page.getByRole('textbox', { name: 'Message' }).fill('Tell me about canals and locks. [[sim:tokens=300]]');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    const answer = page.getByTestId('assistant-message').last();
    // Streaming: text arrives while the turn is still running.
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: ANSWER_TIMEOUT_IN_MS }).toBe('streaming');
    await expect.poll(async () => ((await answer.getByTestId('answer-text').textContent()) ?? '').length, { timeout: ANSWER_TIMEOUT_IN_MS }).toBeGreaterThan(40);
    await saveScreenshot(page, 'first-run-chat-mid-stream', { docsName: 'chat-mid-stream' });
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: ANSWER_TIMEOUT_IN_MS }).toBe('complete');
    expect(await answer.getByTestId('stream-failed').count(), 'the answer came from recovery, not the stream').toBe(0);
    await expect.poll(() => answer.getByTestId('turn-cost').textContent()).toMatch(/\$\d/);
    expect(Number(await answer.getAttribute('data-cost-usd'))).toBeGreaterThan(0);
    await page.context().close();
  }, 120_000);

  for (const [how, signal] of [
    ['Ctrl-C (SIGINT)', 'SIGINT'],
    ['SIGKILL', 'SIGKILL'],
  ] as const) {
    it(`after ${how} and a new start: groups, conversation and usage are kept, a new turn streams, the admin sees the dashboard`, async () => {
      const servicePids = recordedServicePids(dir);
      await twin!.stop(signal);
      twin = undefined;
      await start();
      expect(twin!.output()).not.toMatch(/Error|failed/i);
      for (const pid of servicePids) expect(isProcessRunning(pid), `cognito-local or DynamoDB Local (pid ${pid}) left over`).toBe(false);

      const admin = await runNodeClient(dir, { email: ADMIN.email, password: ADMIN.password, conversationId: 'none' });
      expect(admin.groups.sort()).toEqual(['admins', 'users']);
      const before = await runNodeClient(dir, { email: ALICE.email, password: ALICE.password, conversationId: CONVERSATION_ID });
      expect(before.groups).toEqual(['users']);
      expect(before.messages.length).toBeGreaterThanOrEqual(2);
      expect(before.dayUsage.spentUsd).toBeGreaterThan(0);
      expect(before.dayUsage.limitUsd).toBeGreaterThan(0);
      const after = await runNodeClient(dir, { email: ALICE.email, password: ALICE.password, conversationId: CONVERSATION_ID, prompt: `And after ${how}? [[sim:tokens=30]]` });
      expectStreamedTurn(after);
      expect(after.messages.slice(0, before.messages.length)).toEqual(before.messages);
      expect(after.dayUsage.spentUsd).toBeGreaterThan(before.dayUsage.spentUsd);
      await adminSeesTheDashboard(signal === 'SIGINT');
    }, 400_000);
  }
});

function recordedServicePidsOrNone(dir: string): number[] {
  try {
    return recordedServicePids(dir);
  } catch {
    return [];
  }
}
