// Each runtime has its own TypeScript configuration (tsconfig.web.json, tsconfig.node.json,
// tsconfig.resolvers.json, all run by `npm run typecheck`), so code that uses an API its
// runtime does not have fails to compile: a browser API in a Lambda, a Node API in a
// resolver or in the web app. Each case compiles one probe file in a temporary copy of the
// configurations, under the configuration of the folder it would live in.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const CONFIGS = ['tsconfig.json', 'tsconfig.web.json', 'tsconfig.node.json', 'tsconfig.resolvers.json', 'resolvers/appsync-js-globals.d.ts'];

/** One tsc run loads the runtime's type libraries: seconds alone, much longer on a busy machine. */
const COMPILE_TIMEOUT_IN_MS = 180_000;

interface Probe {
  config: 'tsconfig.web.json' | 'tsconfig.node.json' | 'tsconfig.resolvers.json';
  dir: string;
  code: string;
}

let copy: string;
let probes = 0;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'sluice-runtime-types-'));
  for (const file of CONFIGS) {
    mkdirSync(join(copy, file, '..'), { recursive: true });
    cpSync(join(REPO, file), join(copy, file));
  }
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir');
});

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

/** Compiles the probe alone under its runtime's configuration; returns tsc's errors (empty when it compiles). */
function compile(probe: Probe): string {
  const n = probes++;
  mkdirSync(join(copy, probe.dir), { recursive: true });
  const file = `${probe.dir}/runtime-probe-${n}.ts`;
  writeFileSync(join(copy, file), `${probe.code}\n`);
  const extra = probe.config === 'tsconfig.resolvers.json' ? ['resolvers/appsync-js-globals.d.ts'] : [];
  const config = `tsconfig.probe-${n}.json`;
  writeFileSync(join(copy, config), JSON.stringify({ extends: `./${probe.config}`, include: [file, ...extra] }));
  try {
    execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', config], { cwd: copy, encoding: 'utf8' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

describe('npm run typecheck refuses an API the runtime does not have', () => {
  it.each([
    ['a browser API in a Lambda function', { config: 'tsconfig.node.json', dir: 'functions/shared', code: 'export const title = document.title;' }, "Cannot find name 'document'"],
    ['a browser API in the twin', { config: 'tsconfig.node.json', dir: 'infra/local', code: 'export const stored = localStorage.length;' }, "Cannot find name 'localStorage'"],
    ['a Node API in a resolver', { config: 'tsconfig.resolvers.json', dir: 'resolvers/graphql', code: "export const bytes = Buffer.from('x');" }, "Cannot find name 'Buffer'"],
    ['a browser API in a resolver', { config: 'tsconfig.resolvers.json', dir: 'resolvers/graphql', code: "export const response = fetch('https://example.com');" }, "Cannot find name 'fetch'"],
    ['a Node API in the web app', { config: 'tsconfig.web.json', dir: 'web/src', code: 'export const home = process.env.HOME;' }, "Cannot find name 'process'"],
  ] as const)('%s', (_, probe, error) => {
    expect(compile(probe)).toContain(error);
  }, COMPILE_TIMEOUT_IN_MS);

  it.each([
    ['the DOM in the web app', { config: 'tsconfig.web.json', dir: 'web/src', code: 'export const title = document.title;' }],
    ['Node in a Lambda function', { config: 'tsconfig.node.json', dir: 'functions/shared', code: "export const bytes = Buffer.from('x');" }],
    ["APPSYNC_JS's console in a resolver", { config: 'tsconfig.resolvers.json', dir: 'resolvers/graphql', code: "export function log() { console.log('x'); }" }],
  ] as const)('compiles %s', (_, probe) => {
    expect(compile(probe)).toBe('');
  }, COMPILE_TIMEOUT_IN_MS);
});
