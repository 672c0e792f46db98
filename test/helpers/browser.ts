import { createHash, X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../infra/local/paths.js';
import type { Twin, TwinOptions } from '../../infra/local/twin.js';
import { ensureWebBuild } from '../../infra/local/web.js';
import { startTestTwin } from './twin.js';

/** Debian's chromium, which CI installs; override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where browser suites keep screenshots (CI keeps the folder as an artifact). */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts');
/** The screenshots docs/web.md shows; the first-run suite refreshes them (from `npm start`) when UPDATE_SCREENSHOTS=1. */
export const DOCS_SCREENSHOTS_DIR = join(REPO_ROOT, 'docs', 'screenshots');
/** A phone-sized viewport for the narrow-layout checks. */
export const PHONE_VIEWPORT = { width: 390, height: 844 } as const;

/**
 * The SHA-256 of a certificate's public key (SPKI), base64, as chromium's
 * `--ignore-certificate-errors-spki-list` wants it: the browser trusts the twin's own
 * certificate and nothing else, instead of ignoring every certificate error.
 */
export function spkiFingerprint(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * Launches headless chromium that trusts `twin`'s certificate. Playwright gives each
 * launch a fresh user-data-dir, so no state leaks between runs.
 *
 * @example
 * ```ts
 * const browser = await launchBrowser(twin);
 * const page = await newPage(browser);
 * ```
 */
export async function launchBrowser(twin: Pick<Twin, 'port'>): Promise<Browser> {
  const certPem = await leafCertificate(twin);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--ignore-certificate-errors-spki-list=${spkiFingerprint(certPem)}`,
    ],
  });
}

/** What a browser suite runs against: a twin serving the built web app, and chromium trusting it. */
export interface BrowserTwin {
  twin: Twin;
  browser: Browser;
  /** Closes the browser, then the twin; for afterAll. */
  close(): Promise<void>;
}

/**
 * Starts a suite's twin, builds the web app if needed and launches chromium for it.
 * @example
 * ```ts
 * let suite: BrowserTwin;
 * beforeAll(async () => { suite = await startBrowserTwin(); }, 180_000);
 * afterAll(() => suite?.close());
 * ```
 */
export async function startBrowserTwin(options: Partial<Omit<TwinOptions, 'services'>> = {}): Promise<BrowserTwin> {
  const twin = await startTestTwin(options);
  await ensureWebBuild();
  const browser = await launchBrowser(twin);
  return {
    twin,
    browser,
    async close() {
      await browser.close();
      await twin.close();
    },
  };
}

/** A fresh browser context (its own cookies and storage: its own signed-in user) and page. */
export async function newPage(browser: Browser, options: { viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 860 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  // Browser-side errors belong in the test output, not lost in a headless console.
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  return page;
}

/**
 * Opens the app and signs in with the twin's one-click demo account for `email`;
 * resolves when the app shows the user as signed in.
 */
export async function signInAs(page: Page, twin: Pick<Twin, 'url'>, email: string): Promise<void> {
  await page.goto(`${twin.url}/`);
  await page.getByRole('button', { name: `Sign in as ${email}` }).click();
  await page.getByTestId('signed-in-user').filter({ hasText: email }).waitFor();
}

/**
 * Saves a screenshot to test-artifacts/; with `docsName`, also to docs/screenshots/ when
 * UPDATE_SCREENSHOTS=1 (only the first-run suite passes it: the docs show `npm start`).
 */
export async function saveScreenshot(page: Page, name: string, options: { docsName?: string } = {}): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (options.docsName && process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOCS_SCREENSHOTS_DIR, { recursive: true });
    copyFileSync(path, join(DOCS_SCREENSHOTS_DIR, `${options.docsName}.png`));
  }
  return path;
}

async function leafCertificate(twin: Pick<Twin, 'port'>): Promise<string> {
  // The twin serves its leaf certificate; read it from the socket rather than the disk.
  const { connect } = await import('node:tls');
  return new Promise((resolvePem, reject) => {
    const socket = connect({ host: '127.0.0.1', port: twin.port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (!cert) reject(new Error('The twin presented no certificate'));
      else resolvePem(cert.toString());
    });
    socket.once('error', reject);
  });
}

/**
 * Elements that stick out past the viewport's right edge (a page that scrolls sideways
 * at phone width is not usable); empty when the layout fits.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const culprits = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-scroll'))
      .slice(0, 10)
      .map((e) => `${e.tagName.toLowerCase()}.${String(e.getAttribute('class') ?? '')} right=${Math.round(e.getBoundingClientRect().right)}`);
    return [`page is ${document.documentElement.scrollWidth}px wide in a ${width}px viewport`, ...culprits];
  });
}
