/**
 * The modules `@aws-appsync/*` imports resolve to inside the sandbox. AppSync also makes
 * `util`, `runtime` and (GraphQL only) `extensions` global, as the package's `declare global`
 * says, so the entry installs the same objects as globals.
 */
import type { HostBridge } from './bridge.js';
import * as dynamodb from './dynamodb-module.js';
import { createExtensions } from './extensions.js';
import type { Invocation } from './invocation.js';
import { runtimeUtil } from './runtime-utils.js';
import { createUtil } from './util.js';

export const UTILS_MODULE = '@aws-appsync/utils';
export const DYNAMODB_MODULE = '@aws-appsync/utils/dynamodb';

export type ModuleMap = Record<string, Record<string, unknown>>;

/**
 * @example
 * ```ts
 * const modules = createModules(bridge, new Invocation());
 * modules['@aws-appsync/utils'].util;
 * ```
 */
export function createModules(bridge: HostBridge, invocation: Invocation): ModuleMap {
  const index: Record<string, unknown> = { util: createUtil(bridge, invocation), runtime: runtimeUtil };
  // Events has no `extensions` (reference section C); importing it there yields undefined.
  if (bridge.flavor === 'graphql') index.extensions = createExtensions(invocation);
  return {
    [UTILS_MODULE]: index,
    // The dynamodb entry point re-exports the index, as the package's dynamodb.d.ts does.
    [DYNAMODB_MODULE]: { ...index, ...dynamodb },
  };
}
