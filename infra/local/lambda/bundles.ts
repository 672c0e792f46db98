/**
 * The files an execution environment runs: the function's bundle, built with the options
 * the CDK deploys with (infra/function-bundle.ts), and the runtime that loads it
 * (bootstrap.ts). Bundles live under node_modules/.cache so that the externals the Lambda
 * runtime provides (`@aws-sdk/*`) resolve from the repository's node_modules, and they are
 * rebuilt only when one of their inputs changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { FUNCTION_NODE_TARGET, functionBuildOptions } from '../../function-bundle.js';
import { REPO_ROOT } from '../paths.js';

const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'sluice-functions');
const BOOTSTRAP_ENTRY = join(import.meta.dirname, 'bootstrap.ts');

interface CacheRecord {
  inputs: { path: string; mtimeMs: number }[];
  file: string;
}

/** Where a build of `key` is recorded: its inputs' mtimes and the file it produced. */
const recordPath = (key: string) => join(CACHE_DIR, `${key}.json`);

function cachedFile(key: string): string | undefined {
  try {
    const record = JSON.parse(readFileSync(recordPath(key), 'utf8')) as CacheRecord;
    const fresh = record.inputs.every((input) => statSync(input.path, { throwIfNoEntry: false })?.mtimeMs === input.mtimeMs);
    return fresh && existsSync(record.file) ? record.file : undefined;
  } catch {
    return undefined;
  }
}

/** Writes atomically, so concurrent twins (test workers) never read a half-written file. */
function writeAtomically(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

async function bundleOnce(key: string, entry: string, bundling: 'function' | 'runtime'): Promise<string> {
  const cached = cachedFile(key);
  if (cached) return cached;
  const options =
    bundling === 'function' ? functionBuildOptions(entry) : { entryPoints: [entry], bundle: true, platform: 'node' as const, format: 'esm' as const, target: FUNCTION_NODE_TARGET };
  const result = await build({ ...options, write: false, metafile: true, outfile: join(CACHE_DIR, 'bundle', 'index.mjs'), logLevel: 'silent' });
  const code = result.outputFiles.find((file) => file.path.endsWith('.mjs'))!;
  const map = result.outputFiles.find((file) => file.path.endsWith('.map'));
  // The same depth as the outfile above, so the source map's relative paths hold.
  const dir = join(CACHE_DIR, `${key}-${createHash('sha256').update(code.contents).digest('hex').slice(0, 16)}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  if (map) writeAtomically(join(dir, 'index.mjs.map'), map.contents);
  writeAtomically(file, code.contents);
  writeAtomically(recordPath(key), JSON.stringify({ inputs: inputsOf(result.metafile), file } satisfies CacheRecord));
  return file;
}

function inputsOf(metafile: Metafile): CacheRecord['inputs'] {
  return Object.keys(metafile.inputs).map((input) => {
    const path = resolve(process.cwd(), input);
    return { path, mtimeMs: statSync(path).mtimeMs };
  });
}

/**
 * Names a build by what it is and where its entry lives: copies of the repository that
 * share one node_modules (a linked checkout) must not run each other's bundles.
 */
const buildKey = (kind: string, entry: string) => `${kind}-${createHash('sha256').update(entry).digest('hex').slice(0, 8)}`;

/** The bundle of one manifest function, as the CDK would deploy it. */
export function functionBundle(name: string, entry: string): Promise<string> {
  const path = resolve(REPO_ROOT, entry);
  return bundleOnce(buildKey(`fn-${name}`, path), path, 'function');
}

/**
 * What the command line of every execution environment of this checkout holds: the
 * runtime bundle's folder, whatever its content hash.
 */
export function runtimeMarker(): string {
  return join(CACHE_DIR, 'bootstrap-');
}

/** The runtime each execution environment starts with. */
export function runtimeBootstrap(): Promise<string> {
  return bundleOnce(buildKey('bootstrap', BOOTSTRAP_ENTRY), BOOTSTRAP_ENTRY, 'runtime');
}
