import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import type { Twin } from '../../infra/local/twin.js';
import { type BrowserTwin, horizontalOverflow, newPage, PHONE_VIEWPORT, saveScreenshot, signInAs, startBrowserTwin } from '../helpers/browser.js';

const [ALICE, , ADMIN] = DEMO_USERS;
const SIMULATOR_MODEL_ID = 'sluice.simulator';
/** A short, complete answer from the Bedrock simulator. */
const SHORT_PROMPT = 'Say hello. [[sim:tokens=40]]';
const TURN_TIMEOUT_IN_MS = 20_000;
const OVERRIDE_REASON = 'Conference demo week';
const ONE_DAY_IN_MS = 86_400_000;

describe('admin drill-down', () => {
  let twin: Twin;
  let browser: Browser;
  let suite: BrowserTwin | undefined;
  let aliceSub: string;
  /** What alice's one turn billed, as her chat showed it. */
  let aliceTurnCostUsd: number;

  beforeAll(async () => {
    suite = await startBrowserTwin();
    ({ twin, browser } = suite);
    aliceSub = twin.context.cognito.userSubs[ALICE.email];
    aliceTurnCostUsd = await chatOnce(browser, twin);
  }, 180_000);

  afterAll(() => suite?.close());

  it('lists users by email in the dashboard and keeps userId and email in the CSV', async () => {
    // Prepare
    const page = await newPage(browser);
    await signInAs(page, twin, ADMIN.email);

    // Act
    await page.goto(`${twin.url}/admin`);
    const row = page.locator(`[data-testid="user-row"][data-user-id="${aliceSub}"]`);
    await row.waitFor({ timeout: TURN_TIMEOUT_IN_MS });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export users CSV' }).click()]);
    const [header, ...lines] = readFileSync(await download.path(), 'utf8').trim().split('\r\n');

    // Assess
    expect(await row.getByRole('link').textContent()).toBe(ALICE.email);
    expect(await page.getByRole('img', { name: /^Top users\. Highest: / }).getAttribute('aria-label')).toContain(ALICE.email);
    const columns = header.split(',');
    const aliceCells = lines.map((line) => line.split(',')).find((cells) => cells[columns.indexOf('userId')] === aliceSub);
    expect(aliceCells?.[columns.indexOf('email')]).toBe(ALICE.email);
    await page.context().close();
  }, 60_000);

  it("shows an admin a user's email and billed cost, and lets them set and clear an override that the audit log records", async () => {
    // Prepare
    const page = await newPage(browser);
    await signInAs(page, twin, ADMIN.email);
    await page.goto(`${twin.url}/admin`);
    await page.locator(`[data-testid="user-row"][data-user-id="${aliceSub}"]`).getByRole('link').click();
    const override = page.getByTestId('current-override');
    const status = page.getByTestId('budget-status');

    // Act: the drill-down loads
    await expect.poll(() => page.getByTestId('user-email').textContent(), { timeout: TURN_TIMEOUT_IN_MS }).toBe(ALICE.email);

    // Assess
    expect(Number(await page.getByTestId('user-summary').getAttribute('data-cost-usd'))).toBeCloseTo(aliceTurnCostUsd, 9);
    expect(await page.getByRole('img', { name: /^Cost per day/ }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Cost per model/ }).getAttribute('aria-label')).toContain(SIMULATOR_MODEL_ID);
    await expect.poll(() => override.getAttribute('data-state')).toBe('none');

    // Act: an expiry in the past is refused, naming the field, and changes nothing
    await page.getByLabel('Daily limit (USD)').fill('5');
    await page.getByLabel('Expires (optional)').fill('2020-01-01T10:00');
    await page.getByLabel('Reason').fill(OVERRIDE_REASON);
    await page.getByRole('button', { name: 'Save override' }).click();

    // Assess
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/expiresAt/);
    expect(await override.getAttribute('data-state')).toBe('none');

    // Act: a valid override, sent from the keyboard (Enter in the reason field)
    await page.getByLabel('Expires (optional)').fill(localDateTime(new Date(Date.now() + 7 * ONE_DAY_IN_MS)));
    await page.getByLabel('Reason').press('Enter');

    // Assess
    await expect.poll(() => status.textContent()).toContain('Override saved');
    expect(await override.getAttribute('data-state')).toBe('active');
    expect(await page.getByTestId('override-reason').textContent()).toBe(OVERRIDE_REASON);
    expect(await page.getByTestId('override-updated-by').textContent()).toContain(ADMIN.email);
    await expect.poll(() => page.getByTestId('audit-entry').count()).toBe(1);
    await saveScreenshot(page, 'admin-user-drilldown');

    // Act: the dashboard's audit log lists it
    await page.getByRole('link', { name: '← Cost dashboard' }).click();
    const setEntry = page.locator(`[data-testid="audit-entry"][data-action="SetBudgetOverride"][data-target="${aliceSub}"]`);
    await setEntry.waitFor({ timeout: TURN_TIMEOUT_IN_MS });

    // Assess
    const setText = (await setEntry.textContent()) ?? '';
    expect(setText).toContain(ADMIN.email);
    expect(setText).toContain(ALICE.email);
    expect(setText).toContain('Daily limit: group default → $5.00');
    expect(setText).toContain(`Reason: none → ${OVERRIDE_REASON}`);

    // Act: back on the drill-down (the form shows what is stored), clear it
    await setEntry.getByRole('link', { name: ALICE.email }).click();
    await expect.poll(() => page.getByLabel('Daily limit (USD)').inputValue()).toBe('5');
    await page.getByRole('button', { name: 'Clear override' }).click();

    // Assess
    await expect.poll(() => status.textContent()).toContain('Override cleared');
    expect(await override.getAttribute('data-state')).toBe('none');
    await expect.poll(() => page.locator('[data-testid="audit-entry"][data-action="ClearBudgetOverride"]').count()).toBe(1);
    await page.reload();
    await expect.poll(() => override.getAttribute('data-state'), { timeout: TURN_TIMEOUT_IN_MS }).toBe('none');
    await page.context().close();
  }, 90_000);

  it('fits the drill-down into a phone-width screen', async () => {
    // Prepare
    const page = await newPage(browser, { viewport: PHONE_VIEWPORT });
    await signInAs(page, twin, ADMIN.email);

    // Act
    await page.goto(`${twin.url}/admin/users/${encodeURIComponent(aliceSub)}`);
    await page.getByTestId('user-summary').waitFor({ timeout: TURN_TIMEOUT_IN_MS });
    await page.getByTestId('current-override').waitFor();

    // Assess
    expect(await horizontalOverflow(page)).toEqual([]);
    await page.context().close();
  }, 60_000);
});

/** Alice sends one short prompt and waits for the answer; returns what the chat showed it cost. */
async function chatOnce(browser: Browser, twin: Twin): Promise<number> {
  const page: Page = await newPage(browser);
  await signInAs(page, twin, ALICE.email);
  await page.getByLabel('Model').selectOption(SIMULATOR_MODEL_ID);
  await page.getByRole('textbox', { name: 'Message' }).fill(SHORT_PROMPT);
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  // Runs in beforeAll, where expect.poll is not available: wait on the locator instead.
  const answer = page.locator('[data-testid="assistant-message"][data-status="complete"]');
  await answer.waitFor({ timeout: TURN_TIMEOUT_IN_MS });
  const cost = Number(await answer.getAttribute('data-cost-usd'));
  await page.context().close();
  if (!(cost > 0)) throw new Error(`alice's turn should have billed a cost, the chat showed ${cost}`);
  return cost;
}

/** `YYYY-MM-DDTHH:mm` in the browser's (and this process's) local time, as datetime-local inputs take it. */
function localDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
