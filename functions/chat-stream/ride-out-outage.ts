/**
 * The end of a turn (settle, store the answer, record how it ended) writes to DynamoDB
 * after the model has answered. A few seconds of DynamoDB being unreachable must not
 * lose the bill or leave the user's stream open: each of those writes is idempotent, so
 * it is retried while its failure is a dependency's, for a bounded window.
 */
import { dependencyFailureCode } from '../shared/failure.js';

/**
 * How long a write is retried through a dependency's outage: a minute, well under
 * chatStream's 300 s timeout (a restarted DynamoDB Local alone takes up to 16 s to answer).
 */
export const OUTAGE_WINDOW_IN_MS = 60_000;
const FIRST_DELAY_IN_MS = 200;
const MAX_DELAY_IN_MS = 2_000;

/**
 * Runs an idempotent write, retrying it with backoff while it fails for a dependency's
 * reason (unreachable, throttled, timed out) and the window allows; rethrows anything else.
 *
 * @example
 * const { costUsd } = await rideOutOutage(() => deps.settle({ request, usage, outcome }));
 */
export async function rideOutOutage<T>(write: () => Promise<T>, windowMs: number = OUTAGE_WINDOW_IN_MS): Promise<T> {
  const giveUpAt = Date.now() + windowMs;
  for (let delay = FIRST_DELAY_IN_MS; ; delay = Math.min(delay * 2, MAX_DELAY_IN_MS)) {
    try {
      return await write();
    } catch (error) {
      if (!dependencyFailureCode(error) || Date.now() + delay > giveUpAt) throw error;
      await new Promise((resolveDelay) => setTimeout(resolveDelay, delay));
    }
  }
}
