import { bundleAppSyncJs } from '../../appsync-bundle.js';
import { instantiateAppSyncJs, type AppSyncJsModule, type AppSyncJsModuleOptions } from '../../appsync-js/index.js';
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
  // Keyed by path, holding the code it was built from: an unchanged bundle is the very same
  // string, so the check is a pointer comparison rather than hashing tens of KB per step.
  const modules = new Map<string, { code: string; module: Promise<AppSyncJsModule> }>();
  return {
    async load(codePath: string): Promise<ResolverModule> {
      const code = await bundleAppSyncJs(codePath);
      let entry = modules.get(codePath);
      if (entry?.code !== code) {
        if (!entry && modules.size >= MAX_LOADED_MODULES) modules.delete(modules.keys().next().value ?? '');
        const loaded = instantiateAppSyncJs(code, { ...options, name: codePath });
        const fresh = { code, module: loaded };
        entry = fresh;
        modules.set(codePath, fresh);
        loaded.catch(() => {
          if (modules.get(codePath) === fresh) modules.delete(codePath);
        });
      }
      const module = await entry.module;
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
