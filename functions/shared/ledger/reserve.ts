/**
 * Admission: reserve a turn's worst-case cost against the user's day budget, month budget,
 * request rate and open-turn cap in ONE conditional UpdateItem on the user's budget item
 * (./budget-item.ts). Every check is a condition on that write, so concurrent turns cannot
 * overspend (never read-then-write: LiteLLM #34732, #40095), one shared item serves every
 * Lambda (LiteLLM #27736), and a refused turn writes nothing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { RESERVATION_TTL_IN_SECONDS } from '../config.js';
import { dayKey, minuteKey, monthKey, nextDayStart, nextMinuteStart, nextMonthStart } from '../clock.js';
import { formatUsdExact, microsToUsd, usdToMicros, worstCaseMicros } from '../pricing.js';
import { findModel, type ModelConfig } from '../../../schema/models.js';
import { isModelAllowed, type EffectivePolicy } from '../policy.js';
import { budgetAttr, budgetKey, MAX_OPEN_TURNS, numberAttr, openEntry, type OpenEntry } from './budget-item.js';
import { periodStatus, readCounters, countersOf } from './counters.js';
import { LedgerErrorCode, type AdmissionError, type BudgetExceeded, type BudgetPeriodStatus, type ModelNotAllowed, type RateLimited } from './errors.js';
import { entryReservation, type Reservation } from './reservation.js';
import { checkId, nowFrom, OPEN_PARTITION, type LedgerDeps } from './tables.js';

export interface ReserveInput {
  userId: string;
  /** The turn's id; admission is idempotent on it while the turn is open. */
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
  /** The turn's conversation, kept with the reservation (cancelChat answers with it). */
  conversationId?: string;
  /** A startChat's request fingerprint (clientRequestId given), kept so a retry can be told from a reuse. */
  fingerprint?: string;
  /** The API key the turn came in with; the key's own hold is taken after admission, by the caller. */
  keyId?: string;
  /**
   * The override-change count the policy was resolved under (admission-policy.ts), or null
   * for "no override was ever set": the write is refused (`staleOverride`) if it moved.
   * Undefined: not checked (callers that resolved the policy themselves).
   */
  overrideChanges?: number | null;
}

/** `staleOverride`: the override changed since the policy was resolved; resolve it again. */
export type ReserveResult = { ok: true; reservation: Reservation; duplicate: boolean } | { ok: false; error: AdmissionError; staleOverride?: boolean };

/**
 * Admits a turn or says why not. A second call with the same request id while the turn is
 * open returns the first reservation (`duplicate: true`) and holds nothing more.
 * @example
 * const result = await reserve(deps, { userId, requestId, modelId: 'sluice.simulator', inputTokensEstimate: 500, policy });
 * if (!result.ok) return toGraphqlError(result.error);
 * await converseStream({ maxTokens: result.reservation.maxOutputTokens });
 */
export async function reserve(deps: LedgerDeps, input: ReserveInput): Promise<ReserveResult> {
  checkId(input.userId, 'userId');
  checkId(input.requestId, 'requestId');
  const model = findModel(input.modelId);
  if (!model || !isModelAllowed(input.policy, input.modelId)) return { ok: false, error: modelNotAllowed(input, model) };
  const terms = admissionTerms(deps, input, model);
  // A turn dearer than the whole limit can never fit: refuse without writing anything.
  if (terms.worstCase > terms.dayLimit || terms.worstCase > terms.monthLimit) return { ok: false, error: await neverFits(deps, input.userId, terms) };
  const entry = openEntryOf(input, terms);
  const reservation = entryReservation(input.userId, input.requestId, entry, model.id);
  try {
    await deps.db.send(reservationWrite(deps, input, entry, terms));
    return { ok: true, reservation, duplicate: false };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // DynamoDB returns the item as it was (ALL_OLD); an emulator that does not is read once.
    const old = error.Item ? unmarshall(error.Item) : (await readCounters(deps, input.userId, terms.now)).item;
    return refusal(input, old, terms, model.id);
  }
}

/** What admitting this turn now would hold, and the limits it is held against (micro-USD). */
interface AdmissionTerms {
  now: Date;
  day: string;
  month: string;
  /** When the reservation lapses if its turn never settles. */
  expiresAt: Date;
  maxOutputTokens: number;
  worstCase: number;
  dayLimit: number;
  monthLimit: number;
}

function modelNotAllowed(input: ReserveInput, model: ModelConfig | undefined): ModelNotAllowed {
  return {
    code: LedgerErrorCode.ModelNotAllowed,
    message: model ? `Your groups do not allow ${model.label} (${input.modelId}).` : `Sluice does not offer the model ${input.modelId}.`,
    modelId: input.modelId,
    allowedModels: [...input.policy.allowedModels],
    retryable: false,
  };
}

/** The turn's worst case, from the output cap the caller, the policy and the model allow. */
function admissionTerms(deps: LedgerDeps, input: ReserveInput, model: ModelConfig): AdmissionTerms {
  const { policy } = input;
  const requested = input.maxOutputTokens ?? policy.maxOutputTokens;
  if (!Number.isSafeInteger(requested) || requested < 1) throw new RangeError(`maxOutputTokens must be a whole number ≥ 1, got ${requested}`);
  const maxOutputTokens = Math.min(requested, policy.maxOutputTokens, model.maxOutputTokens);
  const worstCase = worstCaseMicros(model, input.inputTokensEstimate, maxOutputTokens);
  const now = nowFrom(deps, input.now);
  return {
    now,
    day: dayKey(now),
    month: monthKey(now),
    expiresAt: new Date(now.getTime() + (input.ttlSeconds ?? RESERVATION_TTL_IN_SECONDS) * 1000),
    maxOutputTokens,
    worstCase,
    dayLimit: usdToMicros(policy.dailyLimitUsd),
    monthLimit: usdToMicros(policy.monthlyLimitUsd),
  };
}

/** The refusal of a turn dearer than a whole limit, with where each period stands. */
async function neverFits(deps: LedgerDeps, userId: string, terms: AdmissionTerms): Promise<BudgetExceeded> {
  const { worstCase, dayLimit, monthLimit } = terms;
  const counters = await readCounters(deps, userId, terms.now);
  const statuses = [
    ...(worstCase > dayLimit ? [periodStatus('day', terms.day, dayLimit, counters.day, counters.dayResetsAt)] : []),
    ...(worstCase > monthLimit ? [periodStatus('month', terms.month, monthLimit, counters.month, counters.monthResetsAt)] : []),
  ];
  return budgetExceeded(statuses, worstCase);
}

/** The reservation as it sits in the budget item until its turn settles. */
function openEntryOf(input: ReserveInput, terms: AdmissionTerms): OpenEntry {
  return {
    w: terms.worstCase,
    c: terms.now.getTime(),
    x: terms.expiresAt.getTime(),
    m: input.modelId,
    g: input.policy.group,
    o: terms.maxOutputTokens,
    i: input.inputTokensEstimate,
    ...(input.conversationId ? { v: input.conversationId } : {}),
    ...(input.fingerprint ? { f: input.fingerprint } : {}),
    ...(input.keyId ? { h: input.keyId } : {}),
  };
}

/** The one conditional write of admission: every check of the module's header is a condition on it. */
function reservationWrite(deps: LedgerDeps, input: ReserveInput, entry: OpenEntry, terms: AdmissionTerms): UpdateCommand {
  const { worstCase, day, month } = terms;
  const minute = minuteKey(terms.now);
  const overrideCondition =
    input.overrideChanges === undefined ? '' : input.overrideChanges === null ? ' AND attribute_not_exists(#ov)' : ' AND #ov = :ov';
  return new UpdateCommand({
    TableName: deps.tables.budgets,
    Key: budgetKey(input.userId),
    UpdateExpression:
      'SET #r = :entry, userId = :user, openPartition = :open, expiresAt = if_not_exists(expiresAt, :sweepAt) ' +
      'ADD #dUsed :w, #dReq :one, #mUsed :w, #mReq :one, #rate :one, #openTurns :one',
    ConditionExpression:
      'attribute_not_exists(#r) AND (attribute_not_exists(#dUsed) OR #dUsed <= :dMax) AND (attribute_not_exists(#mUsed) OR #mUsed <= :mMax) ' +
      `AND (attribute_not_exists(#rate) OR #rate < :rpm) AND (attribute_not_exists(#openTurns) OR #openTurns < :maxOpen)${overrideCondition}`,
    ExpressionAttributeNames: {
      '#r': budgetAttr.reservation(input.requestId),
      '#dUsed': budgetAttr.dayUsed(day),
      '#dReq': budgetAttr.dayRequests(day),
      '#mUsed': budgetAttr.monthUsed(month),
      '#mReq': budgetAttr.monthRequests(month),
      '#rate': budgetAttr.minute(minute),
      '#openTurns': budgetAttr.openTurns,
      ...(input.overrideChanges === undefined ? {} : { '#ov': budgetAttr.overrideChanges }),
    },
    ExpressionAttributeValues: {
      ':entry': entry,
      ':user': input.userId,
      ':open': OPEN_PARTITION,
      ':sweepAt': terms.expiresAt.toISOString(),
      ':w': worstCase,
      ':one': 1,
      // A DynamoDB condition cannot add: the subtraction is done before the write.
      ':dMax': terms.dayLimit - worstCase,
      ':mMax': terms.monthLimit - worstCase,
      ':rpm': input.policy.requestsPerMinute,
      ':maxOpen': MAX_OPEN_TURNS,
      ...(typeof input.overrideChanges === 'number' ? { ':ov': input.overrideChanges } : {}),
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
}

/** Why the conditional write was refused, from the item it met. */
function refusal(input: ReserveInput, old: Record<string, unknown> | undefined, terms: AdmissionTerms, pricedModelId: string): ReserveResult {
  const { now, worstCase } = terms;
  const existing = openEntry(old, input.requestId);
  if (existing) return { ok: true, reservation: entryReservation(input.userId, input.requestId, existing, pricedModelId), duplicate: true };
  // Before the budgets: a moved override means the limits above may not be the user's.
  const changes = old?.[budgetAttr.overrideChanges];
  if (input.overrideChanges !== undefined && (input.overrideChanges === null ? changes !== undefined : changes !== input.overrideChanges)) {
    return { ok: false, staleOverride: true, error: { code: LedgerErrorCode.LedgerBusy, message: 'The budget override changed; try again.', retryable: true } };
  }
  const counters = countersOf(old, now);
  const exceeded: BudgetPeriodStatus[] = [];
  if (counters.day.usedMicros > terms.dayLimit - worstCase) exceeded.push(periodStatus('day', counters.dayKey, terms.dayLimit, counters.day, nextDayStart(now)));
  if (counters.month.usedMicros > terms.monthLimit - worstCase) exceeded.push(periodStatus('month', counters.monthKey, terms.monthLimit, counters.month, nextMonthStart(now)));
  if (exceeded.length > 0) return { ok: false, error: budgetExceeded(exceeded, worstCase) };
  const { policy } = input;
  if (numberAttr(old, budgetAttr.minute(minuteKey(now))) >= policy.requestsPerMinute) return { ok: false, error: perMinuteLimited(policy, now) };
  if (numberAttr(old, budgetAttr.openTurns) >= MAX_OPEN_TURNS) return { ok: false, error: tooManyOpenTurns(policy, now) };
  // The item changed between the write and the read an emulator needed: contention, retryable.
  return { ok: false, error: { code: LedgerErrorCode.LedgerBusy, message: 'The budget is busy; try again.', retryable: true } };
}

/** The minute's turns are spent: retry when the next minute starts. */
function perMinuteLimited(policy: EffectivePolicy, now: Date): RateLimited {
  const minuteEnds = nextMinuteStart(now);
  const retryAfterSeconds = Math.max(1, Math.ceil((minuteEnds.getTime() - now.getTime()) / 1000));
  return {
    code: LedgerErrorCode.RateLimited,
    message: `You can start ${policy.requestsPerMinute} turns a minute; try again in ${retryAfterSeconds} s.`,
    limitPerMinute: policy.requestsPerMinute,
    retryAfterSeconds,
    retryAt: minuteEnds.toISOString(),
    retryable: true,
  };
}

/** As many turns run as may at once: retry when one ends. */
function tooManyOpenTurns(policy: EffectivePolicy, now: Date): RateLimited {
  return {
    code: LedgerErrorCode.RateLimited,
    message: `You can run ${MAX_OPEN_TURNS} turns at once; try again when one ends.`,
    limitPerMinute: policy.requestsPerMinute,
    limitConcurrent: MAX_OPEN_TURNS,
    retryAfterSeconds: 1,
    retryAt: new Date(now.getTime() + 1000).toISOString(),
    retryable: true,
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

