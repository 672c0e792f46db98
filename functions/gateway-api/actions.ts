/**
 * The GraphQL fields the gateway API Lambda serves, by field name: admission, the
 * caller's own views (models, myUsage) and metrics here, the admin fields in
 * admin-actions.ts; shaped as schema/schema.graphql declares them.
 */
import { getUserTotals, getUserUsage, isKeyId, nowFrom, resolvePolicy, type UsageTotals } from '../shared/ledger/index.js';
import { recordDenial } from '../shared/metrics.js';
import { ErrorCode } from '../../schema/errors.js';
import { MAX_TOKENS_NOT_GIVEN } from '../../schema/input-rules.js';
import type { Action, ActionDeps, ActionResult, GatewayAction } from './action-types.js';
import { failure } from './action-types.js';
import { ADMIN_ACTIONS } from './admin-actions.js';
import { API_KEY_ACTIONS } from './api-key-actions.js';
import { admitTurn, allowedModelViews, requestFingerprint, type TurnChecks } from './admission.js';

export type { ActionDeps, ActionError, ActionResult, Caller, GatewayAction } from './action-types.js';

const today = (now: Date) => now.toISOString().slice(0, 10);

/**
 * The client's maxTokens as admission takes it: a whole number, or "not given" (startChat
 * and the prompts path send null for that). Anything else is refused, not defaulted.
 */
function requestedMaxTokens(value: unknown): number | typeof MAX_TOKENS_NOT_GIVEN | undefined {
  if (value === null || value === undefined) return MAX_TOKENS_NOT_GIVEN;
  return Number.isSafeInteger(value) ? (value as number) : undefined;
}

/**
 * What `admit` checks beside its write (`args.turn`): whether the conversation a
 * `newConversation` turn names exists (startChat), and whether the request id was recorded
 * before (the prompts way in). Plain reads, in parallel with the admission write.
 */
function turnChecks(args: Record<string, unknown>, tables: ActionDeps['turnTables']): TurnChecks | undefined {
  const turn = args.turn as { newConversation?: unknown; mayBeRecorded?: unknown } | null | undefined;
  if (!turn || typeof args.conversationId !== 'string') return undefined;
  const newConversation = turn.newConversation === true;
  const mayBeRecorded = turn.mayBeRecorded === true;
  if (!newConversation && !mayBeRecorded) return { tables: tables ?? { requests: '', conversations: '', messages: '' }, conversationId: args.conversationId };
  if (!tables) throw new Error('admit was asked to check the turn, but the gateway API has no ChatRequests/Conversations tables');
  return { tables, conversationId: args.conversationId, newConversation, mayBeRecorded };
}

/**
 * startChat with a clientRequestId sends `idempotency` (the conversation it named, or null,
 * and its newConversation flag): the request's fingerprint, or undefined without one.
 */
function idempotencyFingerprint(value: unknown, request: { modelId: string; prompt: string; maxTokens: number | null }): string | undefined {
  const idempotency = value as { conversationId?: unknown; newConversation?: unknown } | null | undefined;
  if (!idempotency || typeof idempotency !== 'object') return undefined;
  const conversationId = typeof idempotency.conversationId === 'string' ? idempotency.conversationId : null;
  return requestFingerprint({ ...request, conversationId, newConversation: idempotency.newConversation === true });
}

const USER_ACTIONS: Record<string, Action> = {
  async admit({ ledger, turnTables }, { caller, args }) {
    const requestId = String(args.requestId);
    const modelId = String(args.modelId);
    const maxTokens = requestedMaxTokens(args.maxTokens);
    if (maxTokens === undefined) {
      return { error: { errorType: ErrorCode.VALIDATION, message: 'maxTokens: must be a whole number', errorInfo: { field: 'maxTokens', retryable: false } } };
    }
    const turn = turnChecks(args, turnTables);
    const prompt = String(args.prompt);
    const fingerprint = idempotencyFingerprint(args.idempotency, { modelId, prompt, maxTokens });
    // The OpenAI-compatible API names the key the turn came in with, so the reservation can give the key's hold back.
    const keyId = isKeyId(args.keyId) ? args.keyId : undefined;
    const outcome = await admitTurn(ledger, { userId: caller.sub, groups: caller.groups, requestId, modelId, prompt, maxTokens, turn, ...(fingerprint ? { fingerprint } : {}), ...(keyId ? { keyId } : {}) });
    if (!outcome.ok) {
      const code = outcome.error.code;
      if (code === 'BudgetExceeded' || code === 'RateLimited' || code === 'ModelNotAllowed') {
        recordDenial({ requestId, userId: caller.sub, modelId, group: outcome.policy.group }, code);
      }
      return failure(outcome.error);
    }
    const { reservation, policy } = outcome;
    // The reservation's worst case and time let a way in hold an API key's own budget beside it
    // (and take the turn back if that refuses); the policy's limits feed the rate-limit headers.
    return {
      result: {
        maxTokens: outcome.maxTokens,
        policyGroup: policy.group,
        duplicate: outcome.duplicate,
        // A retried startChat whose reservation is already settled has none to hold against.
        ...(reservation ? { reservedMicros: reservation.reservedMicros, createdAt: reservation.createdAt } : {}),
        requestsPerMinute: policy.requestsPerMinute,
        ...(fingerprint ? { fingerprint } : {}),
        ...(outcome.original ? { original: outcome.original } : {}),
      },
    };
  },

  async models({ ledger }, { caller }) {
    return { result: allowedModelViews(await resolvePolicy(ledger, caller.sub, caller.groups)) };
  },

  async myUsage({ ledger }, { caller }) {
    const now = nowFrom(ledger);
    const policy = await resolvePolicy(ledger, caller.sub, caller.groups, now);
    const usage = await getUserUsage(ledger, { userId: caller.sub, policy, now });
    const dayStart = `${today(now)}T00:00:00.000Z`;
    const monthStart = `${today(now).slice(0, 7)}-01T00:00:00.000Z`;
    const [dayTotals, monthTotals] = await Promise.all([
      getUserTotals(ledger, { userId: caller.sub, from: today(now), to: today(now) }),
      getUserTotals(ledger, { userId: caller.sub, from: monthStart.slice(0, 10), to: today(now) }),
    ]);
    const period = (status: typeof usage.day, startsAt: string, total: UsageTotals) => ({
      startsAt,
      resetsAt: status.resetsAt,
      spentUsd: status.spentUsd,
      reservedUsd: status.reservedUsd,
      limitUsd: status.limitUsd,
      remainingUsd: status.remainingUsd,
      requests: status.requests,
      inputTokens: total.inputTokens,
      outputTokens: total.outputTokens,
    });
    return { result: { day: period(usage.day, dayStart, dayTotals.total), month: period(usage.month, monthStart, monthTotals.total) } };
  },

  async liveMetrics({ metrics }, { args, stash }) {
    const windowMinutes = Number(stash?.windowMinutes ?? args.windowMinutes ?? 60);
    return { result: { at: new Date().toISOString(), windowMinutes, series: await metrics.series(windowMinutes) } };
  },
};

const ACTIONS: Record<string, Action> = { ...USER_ACTIONS, ...ADMIN_ACTIONS, ...API_KEY_ACTIONS };

/** Whether the gateway API serves `action` (a GraphQL field name, or `admit`). */
export function isKnownAction(action: string): boolean {
  return Object.hasOwn(ACTIONS, action);
}

/**
 * Runs one action.
 * @example
 * const outcome = await runAction(deps, { action: 'myUsage', caller, args: {} });
 */
export function runAction(deps: ActionDeps, input: GatewayAction): Promise<ActionResult> {
  return ACTIONS[input.action](deps, input);
}
