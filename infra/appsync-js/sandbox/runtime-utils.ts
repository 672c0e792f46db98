/**
 * `runtime`: `earlyReturn` ends the handler with a value. In a request handler AppSync then
 * skips the data source and the response handler; with `skipTo: 'END'` a pipeline function also
 * skips the remaining functions. The host reads both from the call outcome.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/runtime-utils-js.html
 */
import { EarlyReturnSignal } from './signals.js';

/**
 * @example
 * ```ts
 * runtimeUtil.earlyReturn({ id: 1 }, { skipTo: 'END' });
 * ```
 */
export const runtimeUtil = {
  earlyReturn(value?: unknown, options?: { skipTo?: 'END' | 'NEXT' }): never {
    throw new EarlyReturnSignal(value, options?.skipTo);
  },
};
