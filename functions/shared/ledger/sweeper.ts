/**
 * The sweeper: releases the budget held by turns whose Lambda died before settling
 * (a crash, a timeout), once their reservation expires. DynamoDB TTL is no substitute: it
 * deletes items up to days late and cannot give the reserve back to the counters.
 */
import { queryItems } from './query-pages.js';
import { keys, nowFrom, OPEN_PARTITION, OPEN_RESERVATIONS_INDEX, type LedgerDeps } from './tables.js';
import { ReservationStatus, type Reservation } from './reservation.js';
import { transactWrite } from './transact.js';

/** What one sweep did. */
export interface SweepResult {
  released: number;
  releasedMicros: number;
  requestIds: string[];
}

/** Reservations read per index page. */
const SWEEP_PAGE_SIZE = 100;

/**
 * Releases every open reservation that expired at or before `now`. Safe to run from
 * several places at once: each release is conditional on the reservation still being open
 * and expired, so a turn settling at the same moment wins or loses cleanly.
 * @example
 * const { released } = await sweepExpiredReservations(deps, new Date());
 */
export async function sweepExpiredReservations(deps: LedgerDeps, now?: Date): Promise<SweepResult> {
  const at = nowFrom(deps, now).toISOString();
  const result: SweepResult = { released: 0, releasedMicros: 0, requestIds: [] };
  const expired = queryItems(deps, {
    TableName: deps.tables.budgets,
    IndexName: OPEN_RESERVATIONS_INDEX,
    KeyConditionExpression: 'openPartition = :open AND expiresAt <= :now',
    ExpressionAttributeValues: { ':open': OPEN_PARTITION, ':now': at },
    Limit: SWEEP_PAGE_SIZE,
  });
  for await (const item of expired as AsyncIterable<Reservation>) {
    if (await release(deps, item, at)) {
      result.released += 1;
      result.releasedMicros += item.reservedMicros;
      result.requestIds.push(item.requestId);
    }
  }
  return result;
}

async function release(deps: LedgerDeps, reservation: Reservation, at: string): Promise<boolean> {
  const TableName = deps.tables.budgets;
  const pk = keys.user(reservation.userId);
  const releaseFrom = (sk: string) => ({
    Update: {
      TableName,
      Key: { pk, sk },
      UpdateExpression: 'ADD usedMicros :minus, reservedMicros :minus',
      ExpressionAttributeValues: { ':minus': -reservation.reservedMicros },
    },
  });
  const outcome = await transactWrite(deps, [
    {
      Update: {
        TableName,
        Key: keys.reservation(reservation.requestId),
        UpdateExpression: 'SET #status = :expired, releasedAt = :at REMOVE openPartition',
        ConditionExpression: '#status = :open AND expiresAt <= :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expired': ReservationStatus.expired, ':open': ReservationStatus.open, ':at': at },
      },
    },
    releaseFrom(keys.day(reservation.day)),
    releaseFrom(keys.month(reservation.month)),
  ]);
  // Not ok: it was settled meanwhile (condition failed) or stayed contended; the next sweep retries the latter.
  return outcome.ok;
}

/** A running periodic sweeper. */
export interface SweeperHandle {
  stop(): void;
}

/**
 * Sweeps on a timer (the twin's stand-in for the cloud's EventBridge schedule). Errors are
 * reported to `onError` and the timer carries on.
 * @example
 * const sweeper = startReservationSweeper(deps, { intervalMs: 60_000, onError: (e) => log.warn(e) });
 * sweeper.stop();
 */
export function startReservationSweeper(
  deps: LedgerDeps,
  options: { intervalMs: number; onError?: (error: unknown) => void; onSweep?: (result: SweepResult) => void },
): SweeperHandle {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpiredReservations(deps)
      .then((result) => options.onSweep?.(result))
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
