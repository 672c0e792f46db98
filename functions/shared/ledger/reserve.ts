/**
 * Admission: reserve a turn's worst-case cost against the user's day budget, month budget
 * and request rate in one DynamoDB transaction. Every check is a condition on the write
 * itself, so concurrent turns cannot overspend (never read-then-write: LiteLLM #34732,
 * #40095), and one shared counter serves every Lambda (LiteLLM #27736).
 */
import { RESERVATION_RETENTION_IN_SECONDS, RESERVATION_TTL_IN_SECONDS } from '../config.js';
import { dayKey, minuteKey, monthKey, nextDayStart, nextMinuteStart, nextMonthStart } from '../clock.js';
import { findModel, formatUsdExact, microsToUsd, usdToMicros, worstCaseMicros } from '../pricing.js';
import { isModelAllowed, type EffectivePolicy } from '../policy.js';
import { counterValues, periodStatus, readCounters } from './counters.js';
import { LedgerErrorCode, ledgerBusy, type AdmissionError, type BudgetExceeded, type BudgetPeriodStatus } from './errors.js';
import { getReservation, ReservationStatus, type Reservation, type ReservationItem } from './reservation.js';
import { checkId, keys, nowFrom, OPEN_PARTITION, type LedgerDeps } from './tables.js';
import { transactWrite, type CancellationReason, type TransactItems } from './transact.js';

/** A minute counter outlives its window by this much, then DynamoDB TTL deletes it. */
const MINUTE_COUNTER_RETENTION_IN_SECONDS = 60 * 60;

export interface ReserveInput {
  userId: string;
  /** The turn's id; admission is idempotent on it. */
  requestId: string;
  modelId: string;
  /** A high estimate of the prompt's tokens (see estimateInputTokens). */
  inputTokensEstimate: number;
  /** What the caller asked for; capped by the policy and the model. @default the policy's cap */
  maxOutputTokens?: number;
  policy: EffectivePolicy;
  /** @default the deps' clock */
  now?: Date;
  /** @default RESERVATION_TTL_IN_SECONDS */
  ttlSeconds?: number;
  /**
   * More items for the same transaction, all or nothing with the reservation: a check that
   * the override the policy came from is unchanged, the turn's request record and its
   * conversation. A refused turn writes none of them, and admission stays one round trip.
   */
  alsoWrite?: TransactItems;
}

/**
 * `failedItem`: which {@link ReserveInput.alsoWrite} item's condition refused the turn (its
 * index there); the error is then a RequestIdConflict.
 */
export type ReserveResult = { ok: true; reservation: Reservation; duplicate: boolean } | { ok: false; error: AdmissionError; failedItem?: number };

/**
 * Admits a turn or says why not. A second call with the same request id and user returns
 * the first reservation (`duplicate: true`) and holds nothing more.
 * @example
 * const result = await reserve(deps, { userId, requestId, modelId: 'sluice.simulator', inputTokensEstimate: 500, policy });
 * if (!result.ok) return toGraphqlError(result.error);
 * await converseStream({ maxTokens: result.reservation.maxOutputTokens });
 */
export async function reserve(deps: LedgerDeps, input: ReserveInput): Promise<ReserveResult> {
  checkId(input.userId, 'userId');
  checkId(input.requestId, 'requestId');
  const { policy } = input;
  const model = findModel(input.modelId);
  if (!model || !isModelAllowed(policy, input.modelId)) {
    return {
      ok: false,
      error: {
        code: LedgerErrorCode.ModelNotAllowed,
        message: model ? `Your groups do not allow ${model.label} (${input.modelId}).` : `Sluice does not offer the model ${input.modelId}.`,
        modelId: input.modelId,
        allowedModels: [...policy.allowedModels],
        retryable: false,
      },
    };
  }
  const requested = input.maxOutputTokens ?? policy.maxOutputTokens;
  if (!Number.isSafeInteger(requested) || requested < 1) throw new RangeError(`maxOutputTokens must be a whole number ≥ 1, got ${requested}`);
  const maxOutputTokens = Math.min(requested, policy.maxOutputTokens, model.maxOutputTokens);
  const worstCase = worstCaseMicros(model, input.inputTokensEstimate, maxOutputTokens);
  const now = nowFrom(deps, input.now);
  const day = dayKey(now);
  const month = monthKey(now);
  const dayLimit = usdToMicros(policy.dailyLimitUsd);
  const monthLimit = usdToMicros(policy.monthlyLimitUsd);

  // A turn dearer than the whole limit can never fit: refuse without writing anything.
  if (worstCase > dayLimit || worstCase > monthLimit) {
    const counters = await readCounters(deps, input.userId, now);
    const statuses = [
      ...(worstCase > dayLimit ? [periodStatus('day', day, dayLimit, counters.day, counters.dayResetsAt)] : []),
      ...(worstCase > monthLimit ? [periodStatus('month', month, monthLimit, counters.month, counters.monthResetsAt)] : []),
    ];
    return { ok: false, error: budgetExceeded(statuses, worstCase) };
  }

  const expiresAt = new Date(now.getTime() + (input.ttlSeconds ?? RESERVATION_TTL_IN_SECONDS) * 1000);
  const reservation: Reservation = {
    requestId: input.requestId,
    userId: input.userId,
    modelId: input.modelId,
    pricedModelId: model.id,
    group: policy.group,
    status: ReservationStatus.open,
    reservedMicros: worstCase,
    reservedUsd: microsToUsd(worstCase),
    inputTokensEstimate: input.inputTokensEstimate,
    maxOutputTokens,
    day,
    month,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
  const item: ReservationItem = {
    ...keys.reservation(input.requestId),
    ...reservation,
    openPartition: OPEN_PARTITION,
    expiresAtEpochSeconds: Math.floor(expiresAt.getTime() / 1000) + RESERVATION_RETENTION_IN_SECONDS,
  };
  const pk = keys.user(input.userId);
  const TableName = deps.tables.budgets;
  const holdBudget = (sk: string, maxUsedBefore: number) => ({
    Update: {
      TableName,
      Key: { pk, sk },
      UpdateExpression: 'SET userId = :user ADD usedMicros :worst, reservedMicros :worst, requests :one',
      ConditionExpression: 'attribute_not_exists(usedMicros) OR usedMicros <= :maxUsedBefore',
      ExpressionAttributeValues: { ':user': input.userId, ':worst': worstCase, ':one': 1, ':maxUsedBefore': maxUsedBefore },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  });
  const minuteEnds = nextMinuteStart(now);
  const outcome = await transactWrite(deps, [
    { Put: { TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
    holdBudget(keys.day(day), dayLimit - worstCase),
    holdBudget(keys.month(month), monthLimit - worstCase),
    {
      Update: {
        TableName,
        Key: { pk, sk: keys.minute(minuteKey(now)) },
        UpdateExpression: 'SET expiresAtEpochSeconds = :ttl ADD requests :one',
        ConditionExpression: 'attribute_not_exists(requests) OR requests < :rpm',
        ExpressionAttributeValues: { ':one': 1, ':rpm': policy.requestsPerMinute, ':ttl': Math.floor(minuteEnds.getTime() / 1000) + MINUTE_COUNTER_RETENTION_IN_SECONDS },
      },
    },
    ...(input.alsoWrite ?? []),
  ]);
  if (outcome.ok) return { ok: true, reservation, duplicate: false };
  if (outcome.busy) return { ok: false, error: ledgerBusy() };

  const [reservationReason, dayReason, monthReason, minuteReason, ...alsoReasons] = outcome.reasons;
  if (failed(reservationReason)) return duplicateOf(deps, input);
  // Before the budgets: a stale override check means the limits above may not be the user's.
  const failedItem = alsoReasons.findIndex((reason) => failed(reason));
  if (failedItem >= 0) {
    return {
      ok: false,
      failedItem,
      error: { code: LedgerErrorCode.RequestIdConflict, message: `Request id ${input.requestId} could not be recorded: a write admitted with it was refused.`, requestId: input.requestId, retryable: false },
    };
  }
  const exceeded: BudgetPeriodStatus[] = [];
  // DynamoDB returns the refusing counter's old image (ALL_OLD); read it only if an emulator did not.
  const needsRead = (failed(dayReason) && !dayReason.item) || (failed(monthReason) && !monthReason.item);
  const read = needsRead ? await readCounters(deps, input.userId, now) : undefined;
  if (failed(dayReason)) exceeded.push(periodStatus('day', day, dayLimit, read?.day ?? counterValues(dayReason.item), nextDayStart(now)));
  if (failed(monthReason)) exceeded.push(periodStatus('month', month, monthLimit, read?.month ?? counterValues(monthReason.item), nextMonthStart(now)));
  if (exceeded.length > 0) return { ok: false, error: budgetExceeded(exceeded, worstCase) };
  if (failed(minuteReason)) {
    const retryAfterSeconds = Math.max(1, Math.ceil((minuteEnds.getTime() - now.getTime()) / 1000));
    return {
      ok: false,
      error: {
        code: LedgerErrorCode.RateLimited,
        message: `You can start ${policy.requestsPerMinute} turns a minute; try again in ${retryAfterSeconds} s.`,
        limitPerMinute: policy.requestsPerMinute,
        retryAfterSeconds,
        retryAt: minuteEnds.toISOString(),
        retryable: true,
      },
    };
  }
  throw new Error(`reserve: transaction cancelled for an unexpected reason: ${outcome.reasons.map((r) => r.code).join(', ')}`);
}

function failed(reason: CancellationReason | undefined): reason is CancellationReason {
  return reason?.code === 'ConditionalCheckFailed';
}

async function duplicateOf(deps: LedgerDeps, input: ReserveInput): Promise<ReserveResult> {
  const existing = await getReservation(deps, input.requestId);
  if (existing && existing.userId === input.userId) return { ok: true, reservation: existing, duplicate: true };
  return {
    ok: false,
    error: { code: LedgerErrorCode.RequestIdConflict, message: `Request id ${input.requestId} is already in use.`, requestId: input.requestId, retryable: false },
  };
}

function budgetExceeded(statuses: BudgetPeriodStatus[], worstCase: number): BudgetExceeded {
  // Name the period that resets last: waiting for the day to reset does not help if the month is spent.
  const binding = statuses.reduce((a, b) => (b.resetsAt > a.resetsAt ? b : a));
  const required = microsToUsd(worstCase);
  return {
    code: LedgerErrorCode.BudgetExceeded,
    message: `This turn may cost up to ${formatUsdExact(required)} but only ${formatUsdExact(binding.remainingUsd)} of your ${binding.scope === 'day' ? 'daily' : 'monthly'} ${formatUsdExact(binding.limitUsd)} budget is left; it resets at ${binding.resetsAt}.`,
    ...binding,
    requiredUsd: required,
    exceeded: statuses,
    retryable: false,
  };
}
