/**
 * How a Lambda function of the manifest is bundled, for both hosts: the CDK stack hands
 * {@link FUNCTION_BUNDLING} to `NodejsFunction` (infra/cdk/functions.ts), and the local twin
 * builds the same entry with the same esbuild options into the bundle its execution
 * environments load (infra/local/lambda/bundles.ts). Keep this file free of host-only
 * concerns so the two cannot drift.
 *
 * @example
 * ```ts
 * import { build } from 'esbuild';
 * import { functionBuildOptions } from './function-bundle.js';
 * await build({ ...functionBuildOptions('functions/chat-stream/handler.ts'), outfile: 'out/index.mjs' });
 * ```
 */
import { isAbsolute, resolve } from 'node:path';
import type { BuildOptions } from 'esbuild';

/** ESM bundles still meet CommonJS dependencies that call `require`; give them one. */
const ESM_REQUIRE_SHIM = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** The Lambda runtime the bundles target (nodejs22.x). */
export const FUNCTION_NODE_TARGET = 'node22';

/** The bundling options both hosts use, in the shape `NodejsFunction`'s `bundling` takes. */
export const FUNCTION_BUNDLING = {
  target: FUNCTION_NODE_TARGET,
  minify: true,
  sourceMap: true,
  banner: ESM_REQUIRE_SHIM,
  // The nodejs22.x runtime ships AWS SDK v3; bundling it would only grow cold starts.
  externalModules: ['@aws-sdk/*'],
} as const;

/** Repository root: relative entries are resolved from here. */
const REPO_ROOT = resolve(import.meta.dirname, '..');

/**
 * The esbuild options `NodejsFunction` uses for {@link FUNCTION_BUNDLING} (ESM output),
 * for one entry; the caller adds where the output goes.
 */
export function functionBuildOptions(entry: string): BuildOptions {
  return {
    entryPoints: [isAbsolute(entry) ? entry : resolve(REPO_ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    target: FUNCTION_BUNDLING.target,
    minify: FUNCTION_BUNDLING.minify,
    sourcemap: FUNCTION_BUNDLING.sourceMap,
    banner: { js: FUNCTION_BUNDLING.banner },
    external: [...FUNCTION_BUNDLING.externalModules],
  };
}
