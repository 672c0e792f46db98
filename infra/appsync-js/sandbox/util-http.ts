/**
 * `util.http`: response headers for the GraphQL response, and request-header copying for HTTP
 * data sources.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/http-helpers-in-utils-http-js.html
 */
import type { Invocation } from './invocation.js';
import { isPlainObject } from './values.js';

/**
 * Custom response headers may total at most 4 KB, names and values included.
 * @see https://docs.aws.amazon.com/appsync/latest/devguide/http-helpers-in-utils-http-js.html
 */
export const MAX_RESPONSE_HEADERS_SIZE_IN_BYTES = 4096;

/** Hop-by-hop and transport headers that are never forwarded (the twin's reading of "restricted"). */
const RESTRICTED_HEADERS = new Set([
  'connection',
  'content-length',
  'expect',
  'host',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function isRestricted(name: string): boolean {
  const lower = name.toLowerCase();
  return RESTRICTED_HEADERS.has(lower) || lower.startsWith('x-amz');
}

export interface HttpUtil {
  copyHeaders(headers: Record<string, unknown>): Record<string, unknown>;
  addResponseHeader(name: string, value: unknown): void;
  addResponseHeaders(headers: Record<string, unknown>): void;
}

/**
 * Builds `util.http`; response headers are recorded on the invocation.
 * @example
 * ```ts
 * createHttpUtil(invocation).addResponseHeader('itemsCount', 7);
 * ```
 */
export function createHttpUtil(invocation: Invocation): HttpUtil {
  const addResponseHeader = (name: string, value: unknown) => {
    const headerName = String(name);
    if (isRestricted(headerName)) throw new RangeError(`Response header ${headerName} is restricted`);
    const next = { ...invocation.responseHeaders, [headerName]: value };
    const size = Object.entries(next).reduce((total, [key, v]) => total + key.length + JSON.stringify(v ?? null).length, 0);
    if (size > MAX_RESPONSE_HEADERS_SIZE_IN_BYTES) {
      throw new RangeError(`Custom response headers exceed ${MAX_RESPONSE_HEADERS_SIZE_IN_BYTES} bytes`);
    }
    invocation.responseHeaders = next;
  };
  return {
    copyHeaders: (headers) =>
      Object.fromEntries(Object.entries(isPlainObject(headers) ? headers : {}).filter(([name]) => !isRestricted(name))),
    addResponseHeader,
    addResponseHeaders(headers) {
      for (const [name, value] of Object.entries(headers)) addResponseHeader(name, value);
    },
  };
}
