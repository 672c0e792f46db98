/**
 * Bundles every APPSYNC_JS file the manifest names, before the stack is constructed.
 *
 * CDK constructs are built synchronously, but the shared bundler (infra/appsync-bundle.ts)
 * is async; bundling first lets the cloud upload the very string the twin evaluates.
 *
 * @example
 * ```ts
 * const code = await bundleManifestCode(gateway, REPO_ROOT);
 * new SluiceStack(app, 'Sluice', { manifest: gateway, rootDir: REPO_ROOT, code });
 * ```
 */
import { isAbsolute, resolve } from 'node:path';
import { bundleAppSyncJs } from '../appsync-bundle.js';
import type { GatewayManifest } from '../gateway.js';

/** Bundled APPSYNC_JS code by the manifest's (relative) file path. */
export type ManifestCode = ReadonlyMap<string, string>;

/** Every APPSYNC_JS file the manifest names: resolvers, pipeline functions, channel handlers. */
export function appSyncJsFiles(manifest: GatewayManifest): string[] {
  const files = [
    ...manifest.events.namespaces.flatMap((ns) => (ns.codeHandlers ? [ns.codeHandlers] : [])),
    ...manifest.graphql.resolvers.map((r) => r.code),
    ...manifest.graphql.functions.map((f) => f.code),
  ];
  return [...new Set(files)];
}

/**
 * Bundles each file of {@link appSyncJsFiles} with the shared bundler.
 * @param rootDir - directory the manifest's relative paths start from (the repository root)
 * @throws Error naming the file when one does not bundle
 */
export async function bundleManifestCode(manifest: GatewayManifest, rootDir: string): Promise<ManifestCode> {
  const files = appSyncJsFiles(manifest);
  const bundles = await Promise.all(files.map((file) => bundleAppSyncJs(isAbsolute(file) ? file : resolve(rootDir, file))));
  return new Map(files.map((file, index) => [file, bundles[index]!]));
}

/**
 * Names a bundle exports, read from the `export { a, b }` statement esbuild writes last.
 * Lets the stack configure `onPublish`/`onSubscribe` only when the handler file has them.
 */
export function exportedNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const match of code.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of match[1]!.split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) names.add(name);
    }
  }
  for (const match of code.matchAll(/export\s+(?:async\s+)?(?:function|const|let|var)\s+([A-Za-z_$][\w$]*)/g)) names.add(match[1]!);
  return names;
}
