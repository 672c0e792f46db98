/**
 * Classifies a thrown failure where it is caught, into the one table of codes
 * (`ErrorCode` in protocol.ts): the caller's mistake, a dependency's failure (retryable),
 * or our own bug (`InternalFailure`, with a correlation id the log and the user share).
 * Never by JavaScript type alone: a failed `fetch` is a TypeError, and it is not the
 * caller's fault.
 */
import { randomUUID } from 'node:crypto';
import { InputError } from './input-error.js';
import { ERROR_CLASSES, ErrorCode } from '../../schema/stream-protocol.js';

export { InputError };

/** A failure as a user sees it: a code of the table, a message without internals, and retryability. */
export interface ClassifiedFailure {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  /** Set for `InternalFailure`: the id in the log line and in the message. */
  correlationId?: string;
}

/** AWS error names (SDK `name`, or the `x-amzn-errortype`) that mean the service throttles us. */
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'SlowDown',
]);
/** Names of a dependency that timed out (the SDK's request timeout, an abort by deadline). */
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError', 'DeadlineExceeded']);
/** Names of a dependency that failed on its side. */
const UNAVAILABLE_NAMES = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
]);
/** Socket-level failures: the dependency could not be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
]);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : {};
}

/** The error and its causes, outermost first (a failed fetch hides the socket error in `cause`). */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (chain.length < 5 && typeof current === 'object' && current !== null) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

/**
 * The dependency's code for a failure that is a dependency's (throttling, a timeout, an
 * unreachable or failing service), or undefined when it is not one.
 *
 * @example
 * dependencyFailureCode(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) // 'ServiceUnavailable'
 */
export function dependencyFailureCode(error: unknown): ErrorCode | undefined {
  for (const link of causeChain(error)) {
    const name = typeof link.name === 'string' ? link.name : '';
    const code = typeof link.code === 'string' ? link.code : '';
    if (THROTTLING_NAMES.has(name) || link.$metadata?.httpStatusCode === 429) return ErrorCode.THROTTLED;
    if (TIMEOUT_NAMES.has(name) || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return ErrorCode.TIMEOUT;
    if (UNAVAILABLE_NAMES.has(name) || NETWORK_CODES.has(code)) return ErrorCode.SERVICE_UNAVAILABLE;
    if ((link.$metadata?.httpStatusCode ?? 0) >= 500) return ErrorCode.SERVICE_UNAVAILABLE;
    // undici's `fetch failed` is a TypeError whose cause says why; without one it is still the network.
    if (link instanceof TypeError && link.message === 'fetch failed') return ErrorCode.SERVICE_UNAVAILABLE;
  }
  return undefined;
}

const STACK_LINE = /\n\s+at .*/g;
const FILE_PATH = /(?:file:\/\/)?(?:\/[\w.@+-]+){2,}(?::\d+){0,2}|[A-Za-z]:\\[^\s'"]+/g;

/**
 * A message safe to show: its first line, no stack frames, no file paths, at most 300
 * characters.
 *
 * @example
 * safeMessage(new Error('ENOENT: open /srv/app/x.json')) // 'ENOENT: open [path]'
 */
export function safeMessage(message: unknown): string {
  const text = typeof message === 'string' ? message : String(message);
  const firstLine = text.replace(STACK_LINE, '').split('\n')[0] ?? '';
  return firstLine.replace(FILE_PATH, '[path]').slice(0, 300);
}

const DEPENDENCY_MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.THROTTLED]: 'A service the gateway depends on is throttling requests; try again shortly.',
  [ErrorCode.TIMEOUT]: 'A service the gateway depends on did not answer in time; try again.',
  [ErrorCode.SERVICE_UNAVAILABLE]: 'A service the gateway depends on is unavailable; try again shortly.',
};

/**
 * Classifies a thrown failure. `InputError` is the caller's; throttling, timeouts and
 * unreachable or failing services are a dependency's (retryable); anything else is ours:
 * `InternalFailure`, with a fresh correlation id to log beside the error.
 *
 * @example
 * const failure = classifyFailure(error);
 * if (failure.correlationId) logger.error('action failed', { correlationId: failure.correlationId, error });
 */
export function classifyFailure(error: unknown, newId: () => string = randomUUID): ClassifiedFailure {
  if (error instanceof InputError) return { code: ErrorCode.VALIDATION, message: safeMessage(error.message), retryable: false };
  const dependency = dependencyFailureCode(error);
  if (dependency) {
    const detail = safeMessage(asErrorLike(error).message ?? '');
    const message = `${DEPENDENCY_MESSAGES[dependency]}${detail ? ` (${detail})` : ''}`;
    return { code: dependency, message, retryable: ERROR_CLASSES[dependency].retryable };
  }
  const correlationId = newId();
  return { code: ErrorCode.INTERNAL, message: `Internal failure; quote correlation id ${correlationId} when reporting it.`, retryable: false, correlationId };
}
