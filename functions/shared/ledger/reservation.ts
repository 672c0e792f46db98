/**
 * A reservation: what admission held for one turn (an open entry in the user's budget
 * item, ./budget-item.ts) and, once closed, what settlement or the sweeper made of it (the
 * `RESERVATION#<requestId>` record, written off the path to the first token).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type TokenUsage } from '../pricing.js';
import { findModel } from '../../../schema/models.js';
import { openEntry, readBudgetItem, type OpenEntry } from './budget-item.js';
import { dayKey, monthKey } from '../clock.js';
import { keys, type LedgerDeps } from './tables.js';

/** How a turn ended, as the streaming Lambda reports it. */
export const TurnOutcome = { completed: 'completed', cancelled: 'cancelled', failed: 'failed' } as const;
export type TurnOutcome = (typeof TurnOutcome)[keyof typeof TurnOutcome];

/** Where a reservation is in its life. */
export const ReservationStatus = {
  /** Budget held; the turn is running. */
  open: 'open',
  /** Settled against real usage. */
  settled: 'settled',
  /** The sweeper released it (the turn's Lambda never settled in time). */
  expired: 'expired',
} as const;
export type ReservationStatus = (typeof ReservationStatus)[keyof typeof ReservationStatus];

/** One admitted turn. */
export interface Reservation {
  requestId: string;
  userId: string;
  /** The model id as requested (sent to Bedrock). */
  modelId: string;
  /** The configured model it is priced as (the ledger and metrics key). */
  pricedModelId: string;
  /** The user's policy group (metric dimension). */
  group: string;
  status: ReservationStatus;
  reservedMicros: number;
  reservedUsd: number;
  inputTokensEstimate: number;
  /** The `maxTokens` to send to Bedrock: the worst case was priced with it. */
  maxOutputTokens: number;
  /** UTC day and month the turn is counted in (its start), even if it settles after midnight. */
  day: string;
  month: string;
  createdAt: string;
  expiresAt: string;
  /** The turn's conversation, when admission knew it. */
  conversationId?: string;
  /** A startChat's fingerprint, when it named a clientRequestId. */
  fingerprint?: string;
  /** The API key the turn came in with: it holds the key's own budget too (api-keys.ts). */
  keyId?: string;
  /** Present once settled. */
  outcome?: TurnOutcome;
  costMicros?: number;
  usage?: Required<TokenUsage>;
  settledAt?: string;
  /** Settled after the sweeper had released it (billed without a reserve to release). */
  settledAfterExpiry?: boolean;
}

/** The stored item of a reservation (keys and index attributes beside the fields). */
export type ReservationItem = Reservation & { pk: string; sk: string; openPartition?: string; expiresAtEpochSeconds: number };

/**
 * Reads a reservation (strongly consistent): the closed record (settled or expired) when
 * there is one, else, given the user, the open entry in their budget item. Undefined when
 * there is neither.
 * @example
 * const reservation = await getReservation(deps, 'req-1', 'user-1');
 */
export async function getReservation(deps: LedgerDeps, requestId: string, userId?: string): Promise<Reservation | undefined> {
  const [record, budget] = await Promise.all([
    deps.db.send(new GetCommand({ TableName: deps.tables.budgets, Key: keys.reservation(requestId), ConsistentRead: true })),
    userId ? readBudgetItem(deps, userId) : Promise.resolve(undefined),
  ]);
  if (record.Item) return toReservation(record.Item);
  const entry = userId ? openEntry(budget, requestId) : undefined;
  return entry && userId ? entryReservation(userId, requestId, entry, findModel(entry.m)?.id ?? entry.m) : undefined;
}

/** Strips the storage attributes from a reservation item. */
export function toReservation(item: Record<string, unknown>): Reservation {
  const { pk: _pk, sk: _sk, openPartition: _open, expiresAtEpochSeconds: _ttl, ...reservation } = item as unknown as ReservationItem;
  return reservation;
}

/** An open entry as a {@link Reservation}. */
export function entryReservation(userId: string, requestId: string, entry: OpenEntry, pricedModelId: string): Reservation {
  const createdAt = new Date(entry.c);
  return {
    requestId,
    userId,
    modelId: entry.m,
    pricedModelId,
    group: entry.g,
    status: ReservationStatus.open,
    reservedMicros: entry.w,
    reservedUsd: entry.w / 1e6,
    inputTokensEstimate: entry.i,
    maxOutputTokens: entry.o,
    day: dayKey(createdAt),
    month: monthKey(createdAt),
    createdAt: createdAt.toISOString(),
    expiresAt: new Date(entry.x).toISOString(),
    ...(entry.v ? { conversationId: entry.v } : {}),
    ...(entry.f ? { fingerprint: entry.f } : {}),
    ...(entry.h ? { keyId: entry.h } : {}),
  };
}
