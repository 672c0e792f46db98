/**
 * Turns bundled APPSYNC_JS (ESM, as AppSync receives it) into a script the sandbox can run:
 * CommonJS inside a `__sluice.define(function (exports, require, module) {…})` call, so the
 * `@aws-appsync/*` imports resolve to the sandbox's modules without `--experimental-vm-modules`.
 * The wrapper sits on the first line, so line numbers only shift by esbuild's short prelude.
 */
import { transform } from 'esbuild';

const cache = new Map<string, Promise<string>>();
/** Distinct bundles kept; the twin has a few dozen resolvers, tests a few fixtures each. */
const MAX_CACHED_TRANSFORMS = 256;

/**
 * @param code - APPSYNC_JS code as `bundleAppSyncJs` returns it
 * @example
 * ```ts
 * const source = await toSandboxModuleSource(await bundleAppSyncJs('resolvers/events/chat.ts'));
 * ```
 */
export function toSandboxModuleSource(code: string): Promise<string> {
  let source = cache.get(code);
  if (!source) {
    if (cache.size >= MAX_CACHED_TRANSFORMS) cache.delete(cache.keys().next().value ?? '');
    source = transform(code, { loader: 'js', format: 'cjs', target: 'es2020', sourcefile: 'code.js', logLevel: 'silent' }).then(
      // APPSYNC_JS always runs in strict mode (Supported runtime features, "Strict mode").
      (result) => `__sluice.define(function (exports, require, module) {'use strict';${result.code}\n});`,
    );
    cache.set(code, source);
    source.catch(() => cache.delete(code));
  }
  return source;
}
