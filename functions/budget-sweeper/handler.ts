/**
 * Releases the budget reservations of turns that crashed before settling, once they
 * expire. Runs on a schedule in the cloud and on a timer on the twin.
 */
import { ledgerDepsFromEnv, sweepExpiredReservations } from '../shared/ledger/index.js';
import { logger } from '../shared/metrics.js';

const deps = ledgerDepsFromEnv();

export async function handler(): Promise<{ released: number }> {
  const result = await sweepExpiredReservations(deps);
  logger.info('swept expired reservations', { ...result });
  return { released: result.released };
}
