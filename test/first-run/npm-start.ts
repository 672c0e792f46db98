/**
 * `npm start` as a user runs it, for the first-run suite: a copy of the repository (the
 * files git tracks or would add, node_modules linked), started with no environment the
 * README does not give a user, stopped with the signals a terminal sends.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../infra/local/paths.js';
import type { ClientReport, ClientRequest } from './node-client.js';

/** A first start builds the web app; on a busy two-core machine that takes a while. */
const START_TIMEOUT_IN_MS = 240_000;
const READY_LINE = 'Ctrl-C stops everything.';

/**
 * Copies the working tree's files (tracked, and untracked but not ignored: what a commit of
 * it would hold) into a fresh folder, with node_modules linked rather than installed again.
 */
export function copyRepository(): string {
  const copy = mkdtempSync(join(tmpdir(), 'sluice-first-run-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && existsSync(join(REPO_ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(copy, file));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/**
 * The environment of a user's shell: this process's, without what the test runner and
 * its npm add (NODE_EXTRA_CA_CERTS above all: the product must not need it).
 */
export function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(NODE_EXTRA_CA_CERTS|NODE_OPTIONS|SLUICE_|VITEST|npm_|TEST$|INIT_CWD$)/.test(name)) continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

export interface NpmStart {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to the whole process group, as a terminal's Ctrl-C does, and waits for npm to exit. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `npm start` in `dir` (its own process group) and resolves once it says it is ready. */
export async function npmStart(dir: string, ports: { port: number; cognitoPort: number }): Promise<NpmStart> {
  const child = spawn('npm', ['start'], {
    cwd: dir,
    env: userEnvironment({ PORT: String(ports.port), COGNITO_PORT: String(ports.cognitoPort) }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const handle: NpmStart = {
    child,
    output: () => output,
    exited,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // The group is gone already.
        }
      }
      return exited;
    },
  };
  const deadline = Date.now() + START_TIMEOUT_IN_MS;
  while (!output.includes(READY_LINE)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      await handle.stop('SIGKILL');
      throw new Error(`npm start was not ready within ${START_TIMEOUT_IN_MS} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return handle;
}

/** The process ids `npm start` recorded for its cognito-local and DynamoDB Local. */
export function recordedServicePids(dir: string): number[] {
  const record = JSON.parse(readFileSync(join(dir, '.sluice', 'services.json'), 'utf8')) as { pid: number }[];
  return record.map((service) => service.pid);
}

/**
 * Runs the README's Node client (node-client.ts) against the twin in `dir`, trusting its
 * CA the way the README tells a Node client to: NODE_EXTRA_CA_CERTS=.sluice/certs/ca.pem.
 */
export async function runNodeClient(dir: string, request: Omit<ClientRequest, 'outputsPath'>): Promise<ClientReport> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(dir, 'test', 'first-run', 'node-client.ts'), JSON.stringify({ ...request, outputsPath: join(dir, 'amplify_outputs.json') })],
    { cwd: dir, env: userEnvironment({ NODE_EXTRA_CA_CERTS: join(dir, '.sluice', 'certs', 'ca.pem') }), timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ClientReport;
}
