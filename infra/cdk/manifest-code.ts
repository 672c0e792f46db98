/**
 * Bundles every APPSYNC_JS file the manifest names, before the stack is constructed, and
 * reads which form each channel handler has.
 *
 * CDK constructs are built synchronously, but the shared bundler (infra/appsync-bundle.ts)
 * and the APPSYNC_JS runtime are async; doing both first lets the cloud upload the very
 * string the twin evaluates, and configure each handler the way the twin runs it.
 *
 * @example
 * ```ts
 * const code = await bundleManifestCode(gateway, REPO_ROOT);
 * new SluiceStack(app, 'Sluice', { manifest: gateway, rootDir: REPO_ROOT, code });
 * ```
 */
import { isAbsolute, resolve } from 'node:path';
import { bundleAppSyncJs } from '../appsync-bundle.js';
import { assertAppSyncJsCode } from '../appsync-code-check.js';
import type { GatewayManifest } from '../gateway.js';
import { instantiateAppSyncJs } from '../appsync-js/runtime.js';
import { AppSyncJsFlavor } from '../appsync-js/types.js';

/** The manifest's APPSYNC_JS code, bundled, and what the channel handler files export. */
export interface ManifestCode {
  /** Bundled code by the manifest's (relative) file path. */
  readonly bundles: ReadonlyMap<string, string>;
  /**
   * Callable export paths of each namespace handler file (`onPublish` for a function,
   * `onPublish.request` and `onPublish.response` for a `{request, response}` object), as
   * the twin's APPSYNC_JS runtime loads the file.
   */
  readonly handlerCallables: ReadonlyMap<string, readonly string[]>;
}

/** Code for a manifest that names no APPSYNC_JS file. */
export const NO_MANIFEST_CODE: ManifestCode = { bundles: new Map(), handlerCallables: new Map() };

/** Every APPSYNC_JS file the manifest names: resolvers, pipeline functions, channel handlers. */
export function appSyncJsFiles(manifest: GatewayManifest): string[] {
  const files = [
    ...channelHandlerFiles(manifest),
    ...manifest.graphql.resolvers.map((r) => r.code),
    ...manifest.graphql.functions.map((f) => f.code),
  ];
  return [...new Set(files)];
}

function channelHandlerFiles(manifest: GatewayManifest): string[] {
  return [...new Set(manifest.events.namespaces.flatMap((ns) => (ns.codeHandlers ? [ns.codeHandlers] : [])))];
}

/**
 * Bundles each file of {@link appSyncJsFiles} with the shared bundler, checks each bundle as
 * AppSync will when the stack creates it (so a refusal shows at synth, not mid-deploy), and
 * loads each channel handler file into the twin's APPSYNC_JS runtime to list its callable exports.
 * @param rootDir - directory the manifest's relative paths start from (the repository root)
 * @throws AppSyncCodeError (AppSync's BadRequestException, CODE_ERROR) naming the first file AppSync would refuse
 * @throws Error naming the file when one does not bundle, or a handler file's top-level code fails
 */
export async function bundleManifestCode(manifest: GatewayManifest, rootDir: string): Promise<ManifestCode> {
  const files = appSyncJsFiles(manifest);
  const code = await Promise.all(files.map((file) => bundleAppSyncJs(isAbsolute(file) ? file : resolve(rootDir, file))));
  const bundles = new Map(files.map((file, index) => [file, code[index]!]));
  for (const [file, bundle] of bundles) assertAppSyncJsCode(bundle, file);
  const handlerFiles = channelHandlerFiles(manifest);
  const modules = await Promise.all(
    handlerFiles.map((file) => instantiateAppSyncJs(bundles.get(file)!, { name: file, flavor: AppSyncJsFlavor.EVENTS })),
  );
  return { bundles, handlerCallables: new Map(handlerFiles.map((file, index) => [file, modules[index]!.callables])) };
}

/** How a channel handler is written, which decides whether AppSync may give it a data source. */
export const HandlerForm = {
  /** Not exported: AppSync's default behaviour. */
  ABSENT: 'absent',
  /** A plain function: runs alone, with no data source. */
  FUNCTION: 'function',
  /** `{request, response}`: calls the namespace's data source between the two. */
  REQUEST_RESPONSE: 'requestResponse',
} as const;
export type HandlerForm = (typeof HandlerForm)[keyof typeof HandlerForm];

/**
 * The form of `handler` (`onPublish` or `onSubscribe`) among a module's callable exports;
 * the twin (infra/local/events/code-handlers.ts) decides the same way.
 */
export function handlerForm(callables: readonly string[], handler: string): HandlerForm {
  if (callables.includes(handler)) return HandlerForm.FUNCTION;
  if (callables.includes(`${handler}.request`)) return HandlerForm.REQUEST_RESPONSE;
  return HandlerForm.ABSENT;
}
