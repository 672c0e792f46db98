/**
 * The sandbox runtime (sandbox/entry.ts and the `util` it builds), bundled once per process
 * into a script that runs first in every fresh context.
 */
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { build } from 'esbuild';

const SANDBOX_ENTRY = fileURLToPath(new URL('./sandbox/entry.ts', import.meta.url));

/** File name the runtime's own frames carry in stack traces, apart from the user's `code.js`. */
export const SANDBOX_FILE = 'appsync-js-runtime.js';

let script: Promise<Script> | undefined;

/**
 * @example
 * ```ts
 * (await sandboxScript()).runInContext(context);
 * ```
 */
export function sandboxScript(): Promise<Script> {
  script ??= build({
    entryPoints: [SANDBOX_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
  }).then((result) => new Script(result.outputFiles[0]?.text ?? '', { filename: SANDBOX_FILE }));
  // A failed build is retried on the next load rather than cached forever.
  script.catch(() => (script = undefined));
  return script;
}
