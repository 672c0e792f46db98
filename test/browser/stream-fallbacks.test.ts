/**
 * What the web app shows when the happy path is not there: a turn whose stream never
 * arrives (every publish fails) is recovered from the conversation with a note that the
 * live stream failed, and a user whose groups allow no model is told so, with what to do.
 */
import { randomBytes } from 'node:crypto';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DEMO_USERS } from '../../infra/local/cognito.js';
import { defaultComponents } from '../../infra/local/components.js';
import { LOCAL_AWS_CREDENTIALS, LOCAL_REGION } from '../../infra/local/dynamodb.js';
import type { Twin } from '../../infra/local/twin.js';
import { type BrowserTwin, newPage, signInAs, startBrowserTwin } from '../helpers/browser.js';
import { flakyPublishes } from '../helpers/flaky-publishes.js';

const [ALICE] = DEMO_USERS;
const SIMULATOR_MODEL_ID = 'sluice.simulator';

describe('web app fallbacks', () => {
  let twin: Twin;
  let browser: Browser;
  let suite: BrowserTwin | undefined;
  const flaky = flakyPublishes();

  beforeAll(async () => {
    suite = await startBrowserTwin({ components: [flaky.component, ...defaultComponents] });
    ({ twin, browser } = suite);
  }, 180_000);

  afterAll(() => suite?.close());

  it('recovers the answer from the conversation and says the live stream failed when no stream event arrives', async () => {
    // Prepare: every publish of the turn fails, as it did when the functions did not trust the twin's CA.
    const page = await newPage(browser);
    await signInAs(page, twin, ALICE.email);
    await page.getByLabel('Model').selectOption(SIMULATOR_MODEL_ID);
    flaky.arm(1, 'before-delivery');
    try {
      // Act
      await page.getByRole('textbox', { name: 'Message' }).fill('Is anyone listening? [[sim:tokens=30]]');
      await page.getByRole('textbox', { name: 'Message' }).press('Enter');
      const answer = page.getByTestId('assistant-message').last();

      // Assess: not "Waiting for the model…" forever.
      await expect.poll(() => answer.getAttribute('data-status'), { timeout: 30_000 }).toBe('complete');
      expect(flaky.dropped()).toBeGreaterThan(0);
      await expect.poll(() => answer.getByTestId('stream-failed').textContent()).toMatch(/live stream failed/);
      expect(((await answer.getByTestId('answer-text').textContent()) ?? '').length).toBeGreaterThan(0);
      expect(Number(await answer.getAttribute('data-cost-usd'))).toBeGreaterThan(0);
    } finally {
      flaky.disarm();
      await page.context().close();
    }
  }, 60_000);

  it('tells a user whose groups allow no model to ask an admin, instead of loading forever', async () => {
    // Prepare: a user in no group at all.
    const email = `nobody-${randomBytes(3).toString('hex')}@example.com`;
    const password = 'Sluice-nogroup-1';
    const cognito = new CognitoIdentityProviderClient({ endpoint: twin.context.cognito.endpoint, region: LOCAL_REGION, credentials: LOCAL_AWS_CREDENTIALS });
    const UserPoolId = twin.context.cognito.userPoolId;
    await cognito.send(new AdminCreateUserCommand({ UserPoolId, Username: email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }] }));
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: email, Password: password, Permanent: true }));
    cognito.destroy();
    const page = await newPage(browser);

    // Act
    await page.goto(`${twin.url}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('signed-in-user').filter({ hasText: email }).waitFor();

    // Assess
    await expect.poll(() => page.getByTestId('no-models').textContent()).toMatch(/allow no model.*Ask an admin/);
    expect(await page.getByText('Loading models…').count()).toBe(0);
    await page.context().close();
  }, 60_000);
});
