/**
 * Issue 16: a signed-in user manages API keys in the web app (chromium against the twin):
 * creates one and sees its secret once, uses it with the `openai` client, revokes it and
 * the next request with it is refused.
 */
import OpenAI, { APIError } from 'openai';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import type { Twin } from '../../infra/local/twin.js';
import { type BrowserTwin, newPage, saveScreenshot, signInAs, startBrowserTwin } from '../helpers/browser.js';
import { secretOf } from '../helpers/api-key-token.js';

const [ALICE] = DEMO_USERS;

describe('API keys page', () => {
  let twin: Twin;
  let browser: Browser;
  let suite: BrowserTwin | undefined;

  beforeAll(async () => {
    suite = await startBrowserTwin();
    ({ twin, browser } = suite);
  }, 180_000);
  afterAll(() => suite?.close());

  it('creates a key shown once, which works with the openai client until it is revoked', async () => {
    const page = await newPage(browser);
    await signInAs(page, twin, ALICE.email);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('browser test');
    await page.getByLabel('Budget per day (USD, optional)').fill('0.5');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-key-secret').textContent())!;
    expect(secret).toMatch(/^sk-sluice-[a-z0-9]{16}_/);
    const row = page.getByTestId('key-row').filter({ hasText: 'browser test' });
    await expect.poll(() => row.getAttribute('data-active')).toBe('true');
    expect(await row.textContent()).toContain('$0.50');
    expect(await row.textContent()).not.toContain(secretOf(secret));
    await saveScreenshot(page, 'api-keys');

    const client = new OpenAI({ apiKey: secret, baseURL: `${twin.url}/v1`, maxRetries: 0 });
    expect((await client.models.list()).data.length).toBeGreaterThan(0);

    // Leaving and coming back: the secret is gone from the page for good.
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByRole('link', { name: 'API keys' }).click();
    await expect.poll(() => page.getByTestId('key-row').count()).toBe(1);
    expect(await page.getByTestId('new-key').count()).toBe(0);

    await page.getByRole('button', { name: 'Revoke browser test' }).click();
    await expect.poll(() => page.getByTestId('key-row').first().getAttribute('data-active')).toBe('false');
    const refused = await client.models.list().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(APIError);
    expect((refused as APIError).status).toBe(401);
    await page.close();
  });
});
