/**
 * The sweeper: releases the budget held by turns whose Lambda died before settling (a
 * crash, a timeout, an invocation that never ran), once their reservation expires.
 * DynamoDB TTL is no substitute: it deletes items up to days late and cannot give the
 * reserve back. Its work list is the `openReservations` index, which holds the budget
 * items of users with open turns, by the expiry of their first open turn.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RESERVATION_RETENTION_IN_SECONDS } from '../config.js';
import { dayKey, monthKey } from '../clock.js';
import { findModel } from '../../../schema/models.js';
import { budgetAttr, budgetKey, nameRefs, openEntries, readBudgetItem, staleAttributes, type OpenEntry } from './budget-item.js';
import { queryItems } from './query-pages.js';
import { keys, nowFrom, OPEN_PARTITION, OPEN_RESERVATIONS_INDEX, type LedgerDeps } from './tables.js';
import { entryReservation, ReservationStatus } from './reservation.js';
import { keyHoldRelease, readKeyHold } from './api-keys.js';
import { transactWrite } from './transact.js';

/** What one sweep did. */
export interface SweepResult {
  /** Unclaimed reservations released (their turn never started). */
  released: number;
  releasedMicros: number;
  requestIds: string[];
  /** Claimed turns handed to `endClaimed` (their function died mid-turn). */
  ended: number;
  endedRequestIds: string[];
}

/** How a sweep treats what it finds. */
export interface SweepOptions {
  /** @default the deps' clock */
  now?: Date;
  /**
   * Every open turn is dead, expired or not: the twin's start, when no function can be
   * running and its async event queue is gone. @default false
   */
  all?: boolean;
  /**
   * Ends a claimed turn whose function died (shared/interrupted-turn.ts): bills what it
   * produced and keeps its text. Without it, a claimed entry is released like an
   * unclaimed one (the reserve goes back, nothing is billed).
   */
  endClaimed?: (turn: { userId: string; requestId: string; entry: OpenEntry }) => Promise<unknown>;
}

/** The `source` of the event the twin invokes the sweeper with when it starts: every open turn is dead. */
export const TWIN_START_SOURCE = 'sluice.twin.start';

/** Budget items read per index page. */
const SWEEP_PAGE_SIZE = 100;

/**
 * Releases every open reservation that expired at or before `now`. Safe to run from
 * several places at once: each release is conditional on the entry still being open, so
 * a turn settling at the same moment wins or loses cleanly.
 * @example
 * const { released } = await sweepExpiredReservations(deps, new Date());
 */
export async function sweepExpiredReservations(deps: LedgerDeps, nowOrOptions?: Date | SweepOptions): Promise<SweepResult> {
  const options: SweepOptions = nowOrOptions instanceof Date ? { now: nowOrOptions } : (nowOrOptions ?? {});
  const at = nowFrom(deps, options.now);
  const result: SweepResult = { released: 0, releasedMicros: 0, requestIds: [], ended: 0, endedRequestIds: [] };
  const due = queryItems(deps, {
    TableName: deps.tables.budgets,
    IndexName: OPEN_RESERVATIONS_INDEX,
    KeyConditionExpression: options.all ? 'openPartition = :open' : 'openPartition = :open AND expiresAt <= :now',
    ExpressionAttributeValues: { ':open': OPEN_PARTITION, ...(options.all ? {} : { ':now': at.toISOString() }) },
    Limit: SWEEP_PAGE_SIZE,
  });
  for await (const indexed of due) {
    const userId = typeof indexed.userId === 'string' ? indexed.userId : undefined;
    if (!userId || indexed.sk !== budgetKey(userId).sk) continue;
    const item = await readBudgetItem(deps, userId);
    for (const [requestId, entry] of openEntries(item)) {
      if (!options.all && entry.x > at.getTime()) continue;
      // A claimed turn ran: its function died mid-turn. It is ended and billed for what it produced.
      if (entry.k !== undefined && options.endClaimed) {
        await options.endClaimed({ userId, requestId, entry });
        result.ended += 1;
        result.endedRequestIds.push(requestId);
        continue;
      }
      if (await release(deps, userId, requestId, entry, at)) {
        result.released += 1;
        result.releasedMicros += entry.w;
        result.requestIds.push(requestId);
      }
    }
    await reschedule(deps, userId, at);
  }
  return result;
}

/**
 * Takes one expired entry out of the budget item and records it as expired, in one
 * transaction, with the hold on the API key the turn came in with, if it took one.
 */
async function release(deps: LedgerDeps, userId: string, requestId: string, entry: OpenEntry, at: Date): Promise<boolean> {
  const TableName = deps.tables.budgets;
  const started = new Date(entry.c);
  const reservation = entryReservation(userId, requestId, entry, findModel(entry.m)?.id ?? entry.m);
  const keyHold = entry.h ? await readKeyHold(deps, { userId, keyId: entry.h, requestId }) : undefined;
  const outcome = await transactWrite(deps, [
    {
      Update: {
        TableName,
        Key: budgetKey(userId),
        UpdateExpression: 'ADD #dUsed :minus, #mUsed :minus, #openTurns :minusOne REMOVE #r',
        ConditionExpression: 'attribute_exists(#r)',
        ExpressionAttributeNames: {
          '#r': budgetAttr.reservation(requestId),
          '#dUsed': budgetAttr.dayUsed(dayKey(started)),
          '#mUsed': budgetAttr.monthUsed(monthKey(started)),
          '#openTurns': budgetAttr.openTurns,
        },
        ExpressionAttributeValues: { ':minus': -entry.w, ':minusOne': -1 },
      },
    },
    {
      Put: {
        TableName,
        Item: {
          ...keys.reservation(requestId),
          ...reservation,
          status: ReservationStatus.expired,
          releasedAt: at.toISOString(),
          expiresAtEpochSeconds: Math.floor(at.getTime() / 1000) + RESERVATION_RETENTION_IN_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...(keyHold ? [keyHoldRelease(deps, keyHold, 0)] : []),
  ]);
  // Not ok: it was settled meanwhile (condition failed) or stayed contended; the next sweep retries the latter.
  return outcome.ok;
}

/**
 * After a sweep, the item's index entry says when to look again: the earliest expiry of
 * its open turns, or nothing when none is open (checked in the write, so a turn admitted
 * meanwhile keeps it). Past periods' attributes are removed on the way.
 */
async function reschedule(deps: LedgerDeps, userId: string, at: Date): Promise<void> {
  const item = await readBudgetItem(deps, userId);
  const entries = openEntries(item);
  const stale = nameRefs(staleAttributes(item, at), 's');
  const removeStale = stale.refs.length > 0 ? stale.refs : [];
  const update =
    entries.length === 0
      ? {
          UpdateExpression: `REMOVE ${['openPartition', 'expiresAt', ...removeStale].join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#openTurns) OR #openTurns = :zero',
          ExpressionAttributeNames: { '#openTurns': budgetAttr.openTurns, ...stale.names },
          ExpressionAttributeValues: { ':zero': 0 },
        }
      : {
          UpdateExpression: `SET expiresAt = :next${removeStale.length > 0 ? ` REMOVE ${removeStale.join(', ')}` : ''}`,
          ...(removeStale.length > 0 ? { ExpressionAttributeNames: stale.names } : {}),
          ExpressionAttributeValues: { ':next': new Date(Math.min(...entries.map(([, entry]) => entry.x))).toISOString() },
        };
  try {
    await deps.db.send(new UpdateCommand({ TableName: deps.tables.budgets, Key: budgetKey(userId), ...update }));
  } catch (error) {
    // A turn was admitted meanwhile: its sweep time stands.
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
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
    sweepExpiredReservations(deps, {})
      .then((result) => options.onSweep?.(result))
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
