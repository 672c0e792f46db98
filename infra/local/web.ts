import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { TwinComponent, TwinComponentFactory, TwinContext } from './context.js';
import { amplifyOutputs } from './outputs.js';
import { REPO_ROOT } from './paths.js';
import { contentSecurityPolicy, securityHeaders } from '../web-security-headers.js';

/** The built web app the twin serves. */
export const WEB_DIST_DIR = join(REPO_ROOT, 'web', 'dist');
const WEB_CONFIG = join(REPO_ROOT, 'web', 'vite.config.ts');
/** What the bundle is built from: when any is newer than the build, the twin rebuilds. */
const WEB_SOURCES = [
  join(REPO_ROOT, 'web', 'src'),
  join(REPO_ROOT, 'web', 'index.html'),
  join(REPO_ROOT, 'web', 'public'),
  WEB_CONFIG,
  // The contract the web app imports (stream events, error codes).
  join(REPO_ROOT, 'schema'),
];
/** Scratch space for builds and the lock; inside the gitignored .sluice/ and on the same disk, so rename works. */
const BUILD_SCRATCH_DIR = join(REPO_ROOT, '.sluice', 'web-build');
const LOCK_PATH = join(BUILD_SCRATCH_DIR, 'build.lock');
/** A lock older than this belongs to a build that died; it is taken over. */
const STALE_LOCK_IN_MS = 180_000;
const LOCK_POLL_IN_MS = 250;

/** True when web/dist is missing or older than any of its sources. */
export function isWebBuildStale(distDir = WEB_DIST_DIR): boolean {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) return true;
  return newestMtimeMs(WEB_SOURCES) > statSync(index).mtimeMs;
}

let building: Promise<string> | undefined;

/**
 * Builds the web app into web/dist when it is missing or stale (`vite build` in a child
 * process), and returns the folder. Concurrent callers in this process share one build;
 * other processes (parallel test workers) wait on a lock file and reuse the result. The
 * new build is swapped in by rename, so a server never reads a half-written folder.
 *
 * @example
 * ```ts
 * const dist = await ensureWebBuild(console.log);
 * ```
 */
export function ensureWebBuild(log: (line: string) => void = () => undefined): Promise<string> {
  if (!isWebBuildStale()) return Promise.resolve(WEB_DIST_DIR);
  building ??= buildWithLock(log).finally(() => (building = undefined));
  return building;
}

async function buildWithLock(log: (line: string) => void): Promise<string> {
  const release = await acquireLock();
  try {
    // Another process may have built it while this one waited for the lock.
    if (!isWebBuildStale()) return WEB_DIST_DIR;
    const started = Date.now();
    log('[web] building the web app (vite build)…');
    const outDir = mkdtempSync(join(BUILD_SCRATCH_DIR, 'dist-'));
    try {
      await runViteBuild(outDir);
      const old = existsSync(WEB_DIST_DIR) ? `${outDir}-old` : undefined;
      if (old) renameSync(WEB_DIST_DIR, old);
      renameSync(outDir, WEB_DIST_DIR);
      if (old) rmSync(old, { recursive: true, force: true });
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
    log(`[web] built web/dist in ${Date.now() - started} ms`);
    return WEB_DIST_DIR;
  } finally {
    release();
  }
}

/** Paths other components own; a miss there is an API 404, not the app's index.html. */
const API_PREFIXES = ['/event', '/graphql', '/cognito'];
export const OUTPUTS_PATH = '/amplify_outputs.json';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface WebAppOptions {
  /**
   * Build web/dist at start-up when it is missing or stale. Under vitest the first page
   * request builds instead, so suites that never open the app do not pay for a build.
   * @default true, except under vitest
   */
  buildOnStart?: boolean;
}

/**
 * The web app as a twin component: `/amplify_outputs.json` generated from the running
 * twin (with the demo users, which the sign-in page lists), the built app from web/dist,
 * and index.html for any other GET that wants HTML (client-side routes). It builds the
 * app first when web/dist is missing or older than web/src. Put it last: it claims paths
 * no other component took.
 *
 * @example
 * ```ts
 * const twin = await startTestTwin({ components: [...defaultComponents] }); // webAppComponent is last
 * ```
 */
export function webAppComponentWith(options: WebAppOptions = {}): TwinComponentFactory {
  return function webAppComponent(context: TwinContext): TwinComponent {
    const buildOnStart = options.buildOnStart ?? !process.env.VITEST;
    let ready: Promise<string> | undefined;
    const distDir = () => {
      ready ??= ensureWebBuild(context.log).catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      return ready;
    };
    if (buildOnStart) distDir().catch((error: unknown) => context.log(`[web] ${(error as Error).message}`));
    // The same headers as the cloud's CloudFront policy; Cognito and GraphQL are same-origin here.
    const siteHeaders = securityHeaders(contentSecurityPolicy([`wss://${context.host}`]));

    return {
      name: 'web',
      describe: () => [`Web app                  ${context.url}/  (web/dist; ${OUTPUTS_PATH})`],
      async handleRequest(req: IncomingMessage, res: ServerResponse) {
        if (req.method !== 'GET' && req.method !== 'HEAD') return false;
        const path = safePathname(req.url);
        if (path === undefined || API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return false;
        if (path === OUTPUTS_PATH) {
          send(res, req, 200, { 'content-type': CONTENT_TYPES['.json'], 'cache-control': 'no-store' }, JSON.stringify(amplifyOutputs(context), null, 2));
          return true;
        }
        let dist: string;
        try {
          dist = await distDir();
        } catch (error) {
          send(res, req, 503, { 'content-type': CONTENT_TYPES['.txt'] }, `The web app could not be built:\n${(error as Error).message}`);
          return true;
        }
        const file = resolve(dist, path === '/' ? './index.html' : `.${path}`);
        const inside = file === dist || file.startsWith(`${dist}${sep}`);
        const stat = inside ? statSync(file, { throwIfNoEntry: false }) : undefined;
        if (stat?.isFile()) {
          const immutable = path.startsWith('/assets/');
          send(res, req, 200, {
            ...siteHeaders,
            'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
            'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
          }, readFileSync(file));
          return true;
        }
        // Client-side routes (/c/…, /admin) get the app; a missing asset stays a 404.
        if (extname(path) === '' && (req.headers.accept ?? '').includes('text/html')) {
          send(res, req, 200, { ...siteHeaders, 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-cache' }, readFileSync(join(dist, 'index.html')));
          return true;
        }
        return false;
      },
    };
  };
}

/** The web app component with its defaults; the last of `defaultComponents`. */
export const webAppComponent: TwinComponentFactory = webAppComponentWith();

function safePathname(url: string | undefined): string | undefined {
  try {
    const path = decodeURIComponent(new URL(url ?? '/', 'https://twin.invalid').pathname);
    return path.includes('\0') ? undefined : path;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, headers: Record<string, string>, body: string | Buffer) {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function runViteBuild(outDir: string): Promise<void> {
  const viteBin = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  return new Promise((resolveBuild, reject) => {
    const child = spawn(process.execPath, [viteBin, 'build', '--config', WEB_CONFIG, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: REPO_ROOT,
      // vitest sets NODE_ENV=test, which would make vite emit React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolveBuild() : reject(new Error(`vite build failed (exit ${code}):\n${output}`))));
  });
}

async function acquireLock(): Promise<() => void> {
  mkdirSync(BUILD_SCRATCH_DIR, { recursive: true });
  for (;;) {
    try {
      closeSync(openSync(LOCK_PATH, 'wx'));
      return () => rmSync(LOCK_PATH, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(LOCK_PATH, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_IN_MS) rmSync(LOCK_PATH, { force: true });
      else await new Promise((r) => setTimeout(r, LOCK_POLL_IN_MS));
    }
  }
}

function newestMtimeMs(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) {
      const children = readdirSync(path).map((name) => join(path, name));
      newest = Math.max(newest, stat.mtimeMs, newestMtimeMs(children));
    } else newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}
