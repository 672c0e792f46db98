import { bundleAppSyncJs } from '../../appsync-bundle.js';
import { instantiateAppSyncJs, type AppSyncJsModule, type AppSyncJsModuleOptions } from '../appsync-js/index.js';
import type { ResolverModule, ResolverModuleLoader } from './resolver-runner.js';

/** Sandboxes kept at once; the gateway has a few dozen resolver files. */
const MAX_LOADED_MODULES = 200;

/**
 * Loads resolver and pipeline function files through the APPSYNC_JS runtime, bundled as
 * the cloud bundles them. A file is re-bundled when it (or an import) changes, so edits
 * show up on the next request of a running twin; an unchanged bundle reuses its sandbox.
 *
 * @example
 * ```ts
 * const loader = createResolverLoader();
 * const module = await loader.load('resolvers/graphql/startChat.ts');
 * ```
 */
export function createResolverLoader(options: AppSyncJsModuleOptions = {}): { load: ResolverModuleLoader; close(): Promise<void> } {
  const modules = new Map<string, Promise<AppSyncJsModule>>();
  return {
    async load(codePath: string): Promise<ResolverModule> {
      const code = await bundleAppSyncJs(codePath);
      const key = `${codePath}\n${code}`;
      let loaded = modules.get(key);
      if (!loaded) {
        if (modules.size >= MAX_LOADED_MODULES) modules.delete(modules.keys().next().value ?? '');
        loaded = instantiateAppSyncJs(code, { ...options, name: codePath });
        modules.set(key, loaded);
        loaded.catch(() => modules.delete(key));
      }
      const module = await loaded;
      return {
        // A file without `request`/`response` (a function that only passes through) behaves as AppSync's default.
        call: async (fnName, ctx) =>
          module.has(fnName)
            ? module.call(fnName, ctx)
            : {
                kind: 'returned',
                value: fnName === 'request' ? {} : ((ctx as { prev?: { result?: unknown } }).prev?.result ?? null),
                stash: (ctx as { stash?: Record<string, unknown> }).stash ?? {},
                appendedErrors: [],
                extensions: { invalidations: [], cacheEvictions: [] },
                responseHeaders: {},
                logs: [],
              },
      };
    },
    async close() {
      modules.clear();
    },
  };
}
