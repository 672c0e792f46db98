export { AppSyncJsLoadError } from './errors.js';
export { AppSyncCodeError } from '../appsync-code-check.js';
export { instantiateAppSyncJs, loadAppSyncJsModule, type AppSyncJsModule, type AppSyncJsModuleOptions } from './runtime.js';
export * from './types.js';
