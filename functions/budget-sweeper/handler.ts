/**
 * Ends what crashed turns left open. Runs on a schedule in the cloud (every 5 minutes) and
 * on a timer on the twin, and once when the twin starts:
 * - an unclaimed reservation (its turn never started) is released once it expires;
 * - a claimed one (its function died mid-turn) is ended once it expires, the longest a
 *   function can run plus a minute: billed for what it produced, its text kept as an
 *   incomplete answer, an `error` event published (shared/interrupted-turn.ts);
 * - on the twin's start (`source: 'sluice.twin.start'`) every open turn is dead, expired or
 *   not: no function survived the restart and the async event queue is gone. Turns
 *   recorded `streaming` without an open reservation (the function died after settling)
 *   are ended too.
 */
import { ConversationStore } from '../shared/conversation-store.js';
import { withInvocationDeadline } from '../shared/deadline.js';
import { documentClient, tableName } from '../shared/dynamo.js';
import { EventsPublisher } from '../shared/events-publisher.js';
import { endInterruptedTurn, type InterruptedTurnDeps } from '../shared/interrupted-turn.js';
import { ledgerDepsFromEnv, sweepExpiredReservations, TWIN_START_SOURCE } from '../shared/ledger/index.js';
import { logger } from '../shared/metrics.js';

const ledger = ledgerDepsFromEnv();
const store = new ConversationStore(documentClient(), {
  requests: tableName('ChatRequests'),
  conversations: tableName('Conversations'),
  messages: tableName('Messages'),
});
const publisher = new EventsPublisher({ url: process.env.SLUICE_EVENTS_URL ?? '', region: process.env.AWS_REGION ?? 'us-east-1' });
const interrupted: InterruptedTurnDeps = {
  ledger,
  store,
  publisher,
  onPublishFailure: (error) => logger.warn('could not publish an interrupted turn\'s error event', { error: error as Error }),
};

export function handler(event: unknown, context?: unknown): Promise<{ released: number; ended: number }> {
  return withInvocationDeadline(context, () => sweep(event));
}

async function sweep(event: unknown): Promise<{ released: number; ended: number }> {
  const atStart = (event as { source?: unknown } | null)?.source === TWIN_START_SOURCE;
  const result = await sweepExpiredReservations(ledger, { all: atStart, endClaimed: (turn) => endInterruptedTurn(interrupted, turn) });
  let ended = result.ended;
  if (atStart) {
    for (const turn of await store.streamingTurns()) {
      const outcome = await endInterruptedTurn(interrupted, { userId: turn.userId, requestId: turn.requestId });
      if (outcome.ended) ended += 1;
    }
  }
  logger.info(atStart ? 'ended the turns open when the twin stopped' : 'swept expired reservations', { ...result, ended });
  return { released: result.released, ended };
}
