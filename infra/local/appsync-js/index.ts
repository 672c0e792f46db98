export { AppSyncJsLoadError } from './errors.js';
export { DEFAULT_CALL_TIMEOUT_IN_MS, instantiateAppSyncJs, loadAppSyncJsModule, type AppSyncJsModule, type AppSyncJsModuleOptions } from './runtime.js';
export * from './types.js';
