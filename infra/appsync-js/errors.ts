/**
 * Errors the APPSYNC_JS runtime throws to its host. Problems inside user code at call time
 * are not thrown: they come back as an `error` call outcome.
 */

/**
 * The module could not be bundled or its top-level code failed, so it has nothing to call.
 * @example
 * ```ts
 * await loadAppSyncJsModule('resolvers/broken.ts').catch((e) => e instanceof AppSyncJsLoadError);
 * ```
 */
export class AppSyncJsLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AppSyncJsLoadError';
  }
}
