import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import type { Twin } from '../../infra/local/twin.js';
import { contentSecurityPolicy, securityHeaders } from '../../infra/web-security-headers.js';
import { type BrowserTwin, horizontalOverflow, newPage, PHONE_VIEWPORT, saveScreenshot, signInAs, startBrowserTwin } from '../helpers/browser.js';

const [ALICE, BOB, ADMIN] = DEMO_USERS;
/** A slow, long answer from the Bedrock simulator: long enough to watch it stream and stop it. */
const SLOW_PROMPT = 'Tell me about rivers and locks. [[sim:tokens=400]]';
const SIMULATOR_MODEL_ID = 'sluice.simulator';
const STREAM_TIMEOUT_IN_MS = 20_000;

describe('web app', () => {
  let twin: Twin;
  let browser: Browser;
  let suite: BrowserTwin | undefined;
  /** What alice's stopped turn cost, as her chat showed it; the admin must see it too. */
  let aliceTurnCostUsd: number | undefined;

  beforeAll(async () => {
    suite = await startBrowserTwin();
    ({ twin, browser } = suite);
  }, 180_000);

  afterAll(() => suite?.close());

  it('serves the app with the same security headers as the cloud’s CloudFront policy', async () => {
    // Act
    const response = await fetch(`${twin.url}/`, { headers: { accept: 'text/html' } });
    await response.arrayBuffer();

    // Assess
    const expected = securityHeaders(contentSecurityPolicy([`wss://${new URL(twin.url).host}`]));
    for (const [name, value] of Object.entries(expected)) expect(response.headers.get(name), name).toBe(value);
    expect(expected['content-security-policy']).not.toContain('unsafe-inline');
    expect(expected['strict-transport-security']).toMatch(/^max-age=31536000/);
  });

  it('lets a user sign in, watch the answer stream in, and stop it', async () => {
    // Prepare
    const page = await newPage(browser);
    await signInAs(page, twin, ALICE.email);
    await page.getByLabel('Model').selectOption(SIMULATOR_MODEL_ID);
    await expect.poll(() => page.locator('#model-price').textContent()).toMatch(/Input \$\d+\.\d\d \/ M · Output \$\d+\.\d\d \/ M/);

    // Act
    await page.getByRole('textbox', { name: 'Message' }).fill(SLOW_PROMPT);
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    const answer = page.getByTestId('assistant-message').last();
    // The gateway publishes about once a second and the app reveals each batch smoothly:
    // sample across a few batches.
    const lengths = await sampleAnswerLengths(page, 12);
    await saveScreenshot(page, 'chat-mid-stream');
    await page.getByRole('button', { name: 'Stop' }).click();

    // Assess
    expect(new Set(lengths).size, `answer lengths seen while streaming: ${lengths.join(', ')}`).toBeGreaterThanOrEqual(3);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: STREAM_TIMEOUT_IN_MS }).toBe('cancelled');
    await expect.poll(() => answer.textContent()).toContain('Stopped');
    const cost = Number(await answer.getAttribute('data-cost-usd'));
    expect(cost).toBeGreaterThan(0);
    aliceTurnCostUsd = cost;
    // The usage meter refreshes at the turn's end and shows what was billed.
    await expect.poll(async () => Number(await page.getByTestId('usage-day').getAttribute('data-spent-usd'))).toBeCloseTo(cost, 9);
    await page.context().close();
  }, 60_000);

  it("shows an admin that user's cost in the dashboard", async () => {
    // Prepare
    expect(aliceTurnCostUsd, 'the chat test must have billed a turn first').toBeDefined();
    const aliceSub = twin.context.cognito.userSubs[ALICE.email];
    const page = await newPage(browser);
    await signInAs(page, twin, ADMIN.email);

    // Act
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    const row = page.locator(`[data-testid="user-row"][data-user-id="${aliceSub}"]`);
    await row.waitFor({ timeout: STREAM_TIMEOUT_IN_MS });

    // Assess
    expect(Number(await row.getAttribute('data-cost-usd'))).toBeCloseTo(aliceTurnCostUsd!, 9);
    await expect.poll(() => page.getByRole('img', { name: /Cost per model/ }).count()).toBe(1);
    expect(await horizontalOverflow(page)).toEqual([]);
    await saveScreenshot(page, 'admin-dashboard');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export users CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(Number(csv.split('\r\n').find((line) => line.includes(aliceSub))?.split(',').at(-1))).toBeCloseTo(aliceTurnCostUsd!, 9);
    await row.getByRole('link').click();
    await expect.poll(async () => Number(await page.getByTestId('user-summary').getAttribute('data-cost-usd'))).toBeCloseTo(aliceTurnCostUsd!, 9);
    await page.context().close();
  }, 60_000);

  it('recovers the final answer after the connection drops mid-stream', async () => {
    // Prepare
    const page = await newPage(browser);
    const sockets: { close(): Promise<void> }[] = [];
    await page.routeWebSocket(/\/event\/realtime/, (ws) => {
      ws.connectToServer();
      sockets.push(ws);
    });
    await signInAs(page, twin, BOB.email);
    await page.getByLabel('Model').selectOption(SIMULATOR_MODEL_ID);
    await page.getByRole('textbox', { name: 'Message' }).fill(SLOW_PROMPT);
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    const answer = page.getByTestId('assistant-message').last();
    const [streamedSoFar] = await sampleAnswerLengths(page, 1);

    // Act
    await Promise.all(sockets.map((ws) => ws.close()));

    // Assess
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 60_000 }).toBe('complete');
    const finalText = (await answer.getByTestId('answer-text').textContent()) ?? '';
    expect(finalText.length).toBeGreaterThan(streamedSoFar);
    expect(Number(await answer.getAttribute('data-cost-usd'))).toBeGreaterThan(0);
    await page.context().close();
  }, 90_000);

  it('keeps a non-admin out of the admin view', async () => {
    // Prepare
    const page = await newPage(browser, { viewport: PHONE_VIEWPORT });
    await signInAs(page, twin, BOB.email);

    // Act
    const adminLinks = await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count();
    const chatOverflowAtPhoneWidth = await horizontalOverflow(page);
    await page.goto(`${twin.url}/admin`);
    await page.getByTestId('signed-in-user').waitFor();

    // Assess
    expect(adminLinks).toBe(0);
    expect(chatOverflowAtPhoneWidth).toEqual([]);
    await page.getByTestId('admin-denied').waitFor();
    expect(await page.getByRole('heading', { name: 'Cost dashboard' }).count()).toBe(0);
    await page.context().close();
  });
});

/** Reads the streaming answer's length `count` times, 150 ms apart, once text has appeared. */
async function sampleAnswerLengths(page: Page, count: number): Promise<number[]> {
  const answer = page.getByTestId('assistant-message').last().getByTestId('answer-text');
  await expect
    .poll(async () => ((await answer.textContent()) ?? '').length, {
      timeout: STREAM_TIMEOUT_IN_MS,
      message: 'no answer text streamed in: the chat pipeline (startChat → chatStream Lambda → Bedrock twin → Events) delivered no delta',
    })
    .toBeGreaterThan(0);
  const lengths: number[] = [];
  for (let i = 0; i < count; i++) {
    lengths.push(((await answer.textContent()) ?? '').length);
    await page.waitForTimeout(200);
  }
  return lengths;
}
