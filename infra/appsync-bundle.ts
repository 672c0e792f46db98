/**
 * Bundles one APPSYNC_JS resolver, pipeline function or Events channel handler (TS or JS)
 * into the single ESM file AppSync accepts.
 *
 * Both hosts use it: the CDK stack uploads the string as the resolver `code`, and the local
 * twin (infra/appsync-js) evaluates the very same string. Keep this file free of
 * twin-only concerns so the two cannot drift.
 *
 * @example
 * ```ts
 * import { bundleAppSyncJs } from './appsync-bundle.js';
 * const code = await bundleAppSyncJs('resolvers/events/chat.ts');
 * ```
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * AppSync rejects resolver, function and handler code longer than this.
 * @see https://docs.aws.amazon.com/appsync/latest/APIReference/API_Resolver.html (`code`, maximum length 32768)
 */
export const MAX_APPSYNC_JS_CODE_SIZE_IN_CHARS = 32_768;

/** Repository root: relative entries and source-map paths are resolved from here, on any machine. */
const REPO_ROOT = resolve(import.meta.dirname, '..');

interface BundleInput {
  path: string;
  mtimeMs: number;
}

interface CachedBundle {
  inputs: BundleInput[];
  code: string;
}

const cache = new Map<string, Promise<CachedBundle>>();

/**
 * Bundles `entry` to APPSYNC_JS: ESM, ES2020, tree-shaken, `@aws-appsync/*` left as imports
 * (AppSync provides them), inline source map without sources content (as the AppSync docs
 * recommend, so CloudWatch stack traces point at the TypeScript).
 *
 * Results are cached per entry and reused while the entry and every file it imports keep their
 * modification times, so the twin can call this on every request cheaply.
 *
 * @param entry - resolver or handler file, absolute or relative to the repository root
 * @returns the bundled code
 * @throws Error when esbuild cannot bundle the file (the message lists esbuild's errors)
 * @throws RangeError when the bundle is larger than AppSync accepts
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/additional-utilities.html
 * @example
 * ```ts
 * const code = await bundleAppSyncJs('resolvers/graphql/startTurn.ts');
 * ```
 */
export async function bundleAppSyncJs(entry: string): Promise<string> {
  const path = isAbsolute(entry) ? entry : resolve(REPO_ROOT, entry);
  const cached = cache.get(path);
  if (cached) {
    const bundle = await cached.catch(() => undefined);
    if (bundle && isFresh(bundle)) return bundle.code;
  }
  const pending = bundle(path);
  cache.set(path, pending);
  // A failed build must not be served from the cache once the file is fixed.
  pending.catch(() => {
    if (cache.get(path) === pending) cache.delete(path);
  });
  return (await pending).code;
}

async function bundle(path: string): Promise<CachedBundle> {
  const result = await build({
    entryPoints: [path],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    write: false,
    format: 'esm',
    // APPSYNC_JS is neither Node nor a browser; `neutral` refuses Node built-ins at build time.
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2020',
    external: ['@aws-appsync/*'],
    treeShaking: true,
    sourcemap: 'inline',
    sourcesContent: false,
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    logLevel: 'silent',
  }).catch((error: unknown) => {
    throw new Error(`Cannot bundle ${path} for APPSYNC_JS: ${describeBuildFailure(error)}`, { cause: error });
  });
  const code = result.outputFiles[0]?.text ?? '';
  if (code.length > MAX_APPSYNC_JS_CODE_SIZE_IN_CHARS) {
    throw new RangeError(
      `${path} bundles to ${code.length} characters; AppSync accepts at most ${MAX_APPSYNC_JS_CODE_SIZE_IN_CHARS}. ` +
        'Move heavy logic into a Lambda function.',
    );
  }
  const inputs = await Promise.all(
    Object.keys(result.metafile.inputs).map(async (input) => {
      const inputPath = resolve(REPO_ROOT, input);
      return { path: inputPath, mtimeMs: (await stat(inputPath)).mtimeMs };
    }),
  );
  return { inputs, code };
}

/**
 * Synchronous on purpose: the twin asks on every resolver step, and a handful of `statSync`
 * calls cost a few microseconds, where `fs/promises` pays a thread-pool hop per file.
 */
function isFresh(bundle: CachedBundle): boolean {
  return bundle.inputs.every((input) => statSync(input.path, { throwIfNoEntry: false })?.mtimeMs === input.mtimeMs);
}

function describeBuildFailure(error: unknown): string {
  const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return error instanceof Error ? error.message : String(error);
  return errors
    .map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
    .join('; ');
}
