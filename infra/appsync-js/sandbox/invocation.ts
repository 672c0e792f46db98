/**
 * What one call of a handler records besides its return value. The sandbox starts a fresh
 * record for every call, so nothing leaks from one request into the next.
 */
import type { AppSyncJsError, ExtensionCalls } from '../types.js';

export class Invocation {
  /** The `ctx` of the running call; `util.authType` reads its identity. */
  ctx: Record<string, unknown> = {};
  appendedErrors: AppSyncJsError[] = [];
  extensions: ExtensionCalls = emptyExtensionCalls();
  responseHeaders: Record<string, unknown> = {};

  /** Forgets the previous call and remembers the `ctx` of the next one. */
  begin(ctx: Record<string, unknown>): void {
    this.ctx = ctx;
    this.appendedErrors = [];
    this.extensions = emptyExtensionCalls();
    this.responseHeaders = {};
  }
}

function emptyExtensionCalls(): ExtensionCalls {
  return { invalidations: [], cacheEvictions: [] };
}
