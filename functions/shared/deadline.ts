/**
 * Retries that fit the invocation they run in. Lambda stops a function at its timeout,
 * but a write already sent may still land: a retry loop that outlives the invocation can
 * commit for a request the caller was told had failed. So every retry loop asks, before it
 * waits and tries again, whether the invocation's remaining time
 * (`context.getRemainingTimeInMillis()`) less a headroom to answer still fits the wait and
 * one more attempt; if not, it stops and reports the failure it has.
 *
 * The deadline travels with the invocation's async work (AsyncLocalStorage), so library
 * code (the ledger, the stream publisher, SDK clients) needs no extra parameter, and
 * concurrent invocations in one process (tests, in-process handlers) never mix deadlines.
 * Outside an invocation there is no deadline and loops keep their own attempt limits.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Time kept back from the invocation's remaining time to answer (classify, log, return). */
export const ANSWER_HEADROOM_IN_MS = 1_000;

/** The part of Lambda's context this module reads. */
export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

const invocation = new AsyncLocalStorage<InvocationClock>();

/**
 * Runs `work` under the invocation's deadline. A context without `getRemainingTimeInMillis`
 * (a test calling a handler directly) runs it without one.
 * @example
 * export const handler = (event, context) => withInvocationDeadline(context, () => serve(event));
 */
export function withInvocationDeadline<T>(context: unknown, work: () => Promise<T>): Promise<T> {
  const clock = context as Partial<InvocationClock> | undefined;
  if (typeof clock?.getRemainingTimeInMillis !== 'function') return work();
  return invocation.run(clock as InvocationClock, work);
}

/** Milliseconds left for work before the headroom: Infinity outside an invocation. */
export function workingTimeLeftMs(headroomMs: number = ANSWER_HEADROOM_IN_MS): number {
  const clock = invocation.getStore();
  return clock ? clock.getRemainingTimeInMillis() - headroomMs : Infinity;
}

/**
 * Whether waiting `delayMs` and then one more attempt (expected to take `attemptMs`, e.g.
 * as long as the last one did) still ends before the headroom.
 * @example
 * if (!fitsAnotherAttempt(backoff, Date.now() - attemptStartedAt)) return { ok: false, busy: true };
 */
export function fitsAnotherAttempt(delayMs: number, attemptMs: number, headroomMs?: number): boolean {
  return workingTimeLeftMs(headroomMs) >= delayMs + attemptMs;
}

/** A retry the invocation's remaining time could not fit: a dependency's Timeout, retryable by the caller. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}
