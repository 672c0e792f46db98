/**
 * The top-level members of `util`: ids, errors, encodings, pattern matching, auth type.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/built-in-util-js.html
 */
import { authTypeOf, type AuthType } from './auth-type.js';
import type { HostBridge } from './bridge.js';
import { escapeJavaScript, urlDecode, urlEncode } from './encoding.js';
import type { Invocation } from './invocation.js';
import { UnauthorizedSignal, UtilErrorSignal, appSyncError } from './signals.js';

export interface CoreUtil {
  autoId(): string;
  autoUlid(): string;
  autoKsuid(): string;
  error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never;
  appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void;
  unauthorized(): never;
  matches(pattern: string, value: string): boolean;
  authType(): AuthType;
  escapeJavaScript(value: string): string;
  urlEncode(value: string): string;
  urlDecode(value: string): string;
  base64Encode(value: string): string;
  base64Decode(value: string): string;
}

/**
 * Builds the core of `util` for one sandbox.
 * @example
 * ```ts
 * const core = createCoreUtil(bridge, invocation);
 * core.matches('a*b', 'aaaaab'); // true
 * ```
 */
export function createCoreUtil(bridge: HostBridge, invocation: Invocation): CoreUtil {
  return {
    autoId: () => bridge.uuid(),
    autoUlid: () => bridge.ulid(),
    autoKsuid: () => bridge.ksuid(),
    error(message, errorType, data, errorInfo) {
      throw new UtilErrorSignal(appSyncError(message, errorType, data, errorInfo));
    },
    appendError(message, errorType, data, errorInfo) {
      invocation.appendedErrors.push(appSyncError(message, errorType, data, errorInfo));
    },
    unauthorized() {
      throw new UnauthorizedSignal();
    },
    // Java's Pattern.matches: the whole value must match, not a part of it.
    matches: (pattern, value) => new RegExp(`^(?:${String(pattern)})$`).test(String(value)),
    authType: () => authTypeOf(invocation.ctx.identity),
    escapeJavaScript,
    urlEncode,
    urlDecode,
    base64Encode: (value) => bridge.base64Encode(String(value)),
    base64Decode: (value) => bridge.base64Decode(String(value)),
  };
}
