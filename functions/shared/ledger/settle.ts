/**
 * Settlement: turn a reservation into the turn's real cost, from Bedrock's usage (cache
 * tokens included), in one transaction, off the path to the first token: the open entry
 * leaves the user's budget item with its reserve released and the cost added to the day
 * and month it started in, the closed record `RESERVATION#<requestId>` is written, and the
 * turn is added to the ledger; a turn that came in with an API key gives the key's hold back
 * with the cost in its place. Idempotent on the request id: the record is written only
 * if absent, so Lambda's async retries and duplicate `end` handling bill once.
 */
import { RESERVATION_RETENTION_IN_SECONDS } from '../config.js';
import { dayKey, monthKey } from '../clock.js';
import { checkedUsage, costMicros, microsToUsd, type TokenUsage } from '../pricing.js';
import { findModel } from '../../../schema/models.js';
import { budgetAttr, budgetKey, nameRefs, openEntry, readBudgetItem, staleAttributes } from './budget-item.js';
import { LedgerErrorCode, ledgerBusy, type LedgerBusy, type ReservationNotFound } from './errors.js';
import { entryReservation, getReservation, ReservationStatus, TurnOutcome, type Reservation } from './reservation.js';
import { checkId, keys, nowFrom, type LedgerDeps } from './tables.js';
import { transactWrite, type TransactItems } from './transact.js';
import { keyCostAdded, keyHoldRelease, readKeyHold } from './api-keys.js';

export interface SettleInput {
  /** The turn's user: the open reservation lives in their budget item. */
  userId: string;
  requestId: string;
  /** Bedrock's `metadata.usage` (or what was counted before a cancel or failure). */
  usage: TokenUsage;
  outcome: TurnOutcome;
  /** The way in; the ledger counts `api` turns apart as well (`apiRequests`, `apiCostMicros`). @default 'chat' */
  via?: 'chat' | 'api';
  /** @default the deps' clock */
  now?: Date;
}

/** What a turn was billed. */
export interface Settlement {
  requestId: string;
  userId: string;
  modelId: string;
  pricedModelId: string;
  group: string;
  outcome: TurnOutcome;
  usage: Required<TokenUsage>;
  costMicros: number;
  /** The `costUsd` of the turn's `end` event. */
  costUsd: number;
  reservedMicros: number;
  settledAt: string;
  /** True when this call found the turn already settled and changed nothing. */
  alreadySettled: boolean;
  /** True when the sweeper had released the reserve first; the cost is billed all the same. */
  settledAfterExpiry: boolean;
}

export type SettleResult = { ok: true; settlement: Settlement } | { ok: false; error: ReservationNotFound | LedgerBusy };

/** Attempts when a concurrent settle or sweep changed the reservation between read and write. */
const MAX_SETTLE_ATTEMPTS = 3;

/**
 * Bills a turn for what it produced. A cancelled or failed turn passes the usage counted
 * so far; it is billed for that, never for the reserve.
 * @example
 * const { settlement } = await settle(deps, { requestId, usage: metadata.usage, outcome: 'completed' });
 * publish({ type: 'end', costUsd: settlement.costUsd });
 */
export async function settle(deps: LedgerDeps, input: SettleInput): Promise<SettleResult> {
  checkId(input.userId, 'userId');
  checkId(input.requestId, 'requestId');
  if (!Object.hasOwn(TurnOutcome, input.outcome)) throw new RangeError(`outcome must be completed, cancelled or failed, got ${JSON.stringify(input.outcome)}`);
  const usage = checkedUsage(input.usage);
  for (let attempt = 1; attempt <= MAX_SETTLE_ATTEMPTS; attempt += 1) {
    const [closed, budget] = await Promise.all([getReservation(deps, input.requestId), readBudgetItem(deps, input.userId)]);
    if (closed?.status === ReservationStatus.settled) return { ok: true, settlement: settlementOf(closed, true) };
    const entry = openEntry(budget, input.requestId);
    const reservation = entry ? entryReservation(input.userId, input.requestId, entry, findModel(entry.m)?.id ?? entry.m) : closed;
    if (!reservation || reservation.userId !== input.userId) {
      return {
        ok: false,
        error: { code: LedgerErrorCode.ReservationNotFound, message: `No admitted turn has request id ${input.requestId}.`, requestId: input.requestId, retryable: false },
      };
    }
    const now = nowFrom(deps, input.now);
    const fields = settledFields(reservation, usage, input.outcome, now);
    const items = settlementItems(deps, reservation, fields, now, staleAttributes(budget, now), closed !== undefined, input.via ?? 'chat');
    if (reservation.keyId) items.push(await keySettlement(deps, reservation, reservation.keyId, fields.costMicros));
    const written = await transactWrite(deps, items);
    if (written.ok) return { ok: true, settlement: settlementOf({ ...reservation, ...fields }, false) };
    if (written.busy) return { ok: false, error: ledgerBusy() };
    // The reservation changed under us (a concurrent settle, or the sweeper): read it again.
  }
  return { ok: false, error: ledgerBusy() };
}

/**
 * The write on the API key the turn came in with: its hold given back with the cost in its
 * place, or, when the hold went back already (the sweeper), the cost alone.
 */
async function keySettlement(deps: LedgerDeps, reservation: Reservation, keyId: string, cost: number) {
  const turn = { userId: reservation.userId, keyId, requestId: reservation.requestId };
  const hold = await readKeyHold(deps, turn);
  return hold ? keyHoldRelease(deps, hold, cost) : keyCostAdded(deps, { ...turn, day: reservation.day }, cost);
}

function settledFields(reservation: Reservation, usage: Required<TokenUsage>, outcome: TurnOutcome, now: Date) {
  const model = findModel(reservation.pricedModelId);
  if (!model) throw new Error(`settle: model ${reservation.pricedModelId} is no longer configured; add it back to price its open turns`);
  return {
    status: ReservationStatus.settled,
    outcome,
    usage,
    costMicros: costMicros(model, usage),
    settledAt: now.toISOString(),
    settledAfterExpiry: reservation.status === ReservationStatus.expired,
  };
}

type SettledFields = ReturnType<typeof settledFields>;

/** The days and months a turn's cost counts in: the ones it started in. */
interface CostPeriod {
  day: string;
  month: string;
}

/** The settlement's one transaction: close the reservation's record, release the budget, add to the ledger. */
function settlementItems(
  deps: LedgerDeps,
  reservation: Reservation,
  fields: SettledFields,
  now: Date,
  stale: string[],
  recordExists: boolean,
  via: 'chat' | 'api',
): TransactItems {
  const period: CostPeriod = { day: dayKey(new Date(reservation.createdAt)), month: monthKey(new Date(reservation.createdAt)) };
  return [
    recordExists ? closeExistingRecord(deps, reservation, fields, now) : putClosedRecord(deps, reservation, fields, now),
    releaseBudget(deps, reservation, fields.costMicros, period, stale),
    addToLedger(deps, reservation, fields, period, via),
  ];
}

/** How long the closed record `RESERVATION#<requestId>` is kept (DynamoDB TTL, epoch seconds). */
function retainedUntil(settledAt: Date): number {
  return Math.floor(settledAt.getTime() / 1000) + RESERVATION_RETENTION_IN_SECONDS;
}

/** The sweeper wrote the record (it expired the reservation): settle it if it is still as read. */
function closeExistingRecord(deps: LedgerDeps, reservation: Reservation, fields: SettledFields, now: Date) {
  return {
    Update: {
      TableName: deps.tables.budgets,
      Key: keys.reservation(reservation.requestId),
      UpdateExpression: 'SET #status = :settled, #outcome = :outcome, #usage = :usage, costMicros = :cost, settledAt = :at, settledAfterExpiry = :late, expiresAtEpochSeconds = :ttl',
      ConditionExpression: '#status = :expected',
      ExpressionAttributeNames: { '#status': 'status', '#outcome': 'outcome', '#usage': 'usage' },
      ExpressionAttributeValues: {
        ':settled': ReservationStatus.settled,
        ':expected': reservation.status,
        ':outcome': fields.outcome,
        ':usage': fields.usage,
        ':cost': fields.costMicros,
        ':at': fields.settledAt,
        ':late': fields.settledAfterExpiry,
        ':ttl': retainedUntil(now),
      },
    },
  };
}

/** No record yet: write the closed one, only if absent, so a second settle bills nothing. */
function putClosedRecord(deps: LedgerDeps, reservation: Reservation, fields: SettledFields, now: Date) {
  const record = {
    ...keys.reservation(reservation.requestId),
    ...reservation,
    ...fields,
    expiresAtEpochSeconds: retainedUntil(now),
  };
  return { Put: { TableName: deps.tables.budgets, Item: record, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/**
 * The budget item: the reserve leaves the open entry (if the sweeper has not released it
 * already) and the cost is added to the day and month the turn started in.
 */
function releaseBudget(deps: LedgerDeps, reservation: Reservation, cost: number, { day, month }: CostPeriod, stale: string[]) {
  // An expired reservation's reserve was already released by the sweeper; only add the cost.
  const open = reservation.status === ReservationStatus.open;
  const release = open ? reservation.reservedMicros : 0;
  // Past periods' attributes go with this write: nothing reads them again.
  const added = new Set([budgetAttr.dayUsed(day), budgetAttr.daySpent(day), budgetAttr.monthUsed(month), budgetAttr.monthSpent(month)]);
  const removed = nameRefs(stale.filter((name) => !added.has(name)), 's');
  return {
    Update: {
      TableName: deps.tables.budgets,
      Key: budgetKey(reservation.userId),
      UpdateExpression:
        `ADD #dUsed :delta, #dSpent :cost, #mUsed :delta, #mSpent :cost${open ? ', #openTurns :minusOne' : ''}` +
        (open || removed.refs.length > 0 ? ` REMOVE ${[...(open ? ['#r'] : []), ...removed.refs].join(', ')}` : ''),
      ...(open ? { ConditionExpression: 'attribute_exists(#r)' } : {}),
      ExpressionAttributeNames: {
        '#dUsed': budgetAttr.dayUsed(day),
        '#dSpent': budgetAttr.daySpent(day),
        '#mUsed': budgetAttr.monthUsed(month),
        '#mSpent': budgetAttr.monthSpent(month),
        ...(open ? { '#r': budgetAttr.reservation(reservation.requestId), '#openTurns': budgetAttr.openTurns } : {}),
        ...removed.names,
      },
      ExpressionAttributeValues: { ':delta': cost - release, ':cost': cost, ...(open ? { ':minusOne': -1 } : {}) },
    },
  };
}

/** The user's ledger row for the day and model: the turn's tokens, cost and outcome counted. */
function addToLedger(deps: LedgerDeps, reservation: Reservation, fields: SettledFields, { day }: CostPeriod, via: 'chat' | 'api') {
  const { usage } = fields;
  return {
    Update: {
      TableName: deps.tables.ledger,
      Key: { pk: keys.user(reservation.userId), sk: keys.ledgerItem(day, reservation.pricedModelId) },
      UpdateExpression:
        'SET userId = :user, modelId = :model, #day = :day, userModel = :userModel ' +
        'ADD requests :one, #outcomeCount :one, inputTokens :input, outputTokens :output, cacheReadInputTokens :cacheRead, cacheWriteInputTokens :cacheWrite, costMicros :cost' +
        // The way in, counted apart for the cost dashboard: chat is the total less the API's.
        (via === 'api' ? ', apiRequests :one, apiCostMicros :cost' : ''),
      ExpressionAttributeNames: { '#day': 'day', '#outcomeCount': `${fields.outcome}Requests` },
      ExpressionAttributeValues: {
        ':user': reservation.userId,
        ':model': reservation.pricedModelId,
        ':day': day,
        ':userModel': `${reservation.userId}#${reservation.pricedModelId}`,
        ':one': 1,
        ':input': usage.inputTokens,
        ':output': usage.outputTokens,
        ':cacheRead': usage.cacheReadInputTokens,
        ':cacheWrite': usage.cacheWriteInputTokens,
        ':cost': fields.costMicros,
      },
    },
  };
}

function settlementOf(reservation: Reservation, alreadySettled: boolean): Settlement {
  const cost = reservation.costMicros ?? 0;
  return {
    requestId: reservation.requestId,
    userId: reservation.userId,
    modelId: reservation.modelId,
    pricedModelId: reservation.pricedModelId,
    group: reservation.group,
    outcome: reservation.outcome ?? TurnOutcome.completed,
    usage: reservation.usage ?? { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    costMicros: cost,
    costUsd: microsToUsd(cost),
    reservedMicros: reservation.reservedMicros,
    settledAt: reservation.settledAt ?? '',
    alreadySettled,
    settledAfterExpiry: reservation.settledAfterExpiry ?? false,
  };
}
