/**
 * The operations the GraphQL pipeline hands to the gateway API Lambda: admission and
 * the ledger's reads and writes, which need more than APPSYNC_JS can do.
 */
import { estimateInputTokens } from '../shared/pricing.js';
import {
  clearBudgetOverride,
  getUserUsage,
  listAudit,
  reserve,
  resolvePolicy,
  setBudgetOverride,
  topUsers,
  usageReport,
  type LedgerDeps,
  type ReportGroupBy,
} from '../shared/ledger/index.js';
import { recordDenial } from '../shared/metrics.js';
import type { BudgetOverride } from '../shared/policy.js';

/** Who is calling, as the resolver read it from `ctx.identity`. */
export interface Caller {
  sub: string;
  username: string;
  groups: string[];
}

export type GatewayAction =
  | { action: 'admit'; caller: Caller; turn: { requestId: string; modelId: string; prompt: string; maxTokens: number; conversationId: string } }
  | { action: 'myUsage'; caller: Caller }
  | { action: 'models'; caller: Caller }
  | { action: 'usageReport'; caller: Caller; from: string; to: string; groupBy: ReportGroupBy }
  | { action: 'topUsers'; caller: Caller; from: string; to: string; limit: number }
  | { action: 'auditLog'; caller: Caller; from?: string; to?: string; limit?: number }
  | { action: 'setBudgetOverride'; caller: Caller; userId: string; limits: BudgetOverride }
  | { action: 'clearBudgetOverride'; caller: Caller; userId: string };

/** A failure the resolver raises with `util.error(message, errorType, null, errorInfo)`. */
export interface ActionError {
  error: { errorType: string; message: string; errorInfo: Record<string, unknown> };
}

export type ActionResult = { result: unknown } | ActionError;

function failure(code: string, message: string, details: object): ActionError {
  const { code: _code, message: _message, ...errorInfo } = details as Record<string, unknown>;
  return { error: { errorType: code, message, errorInfo } };
}

/** Runs one action against the ledger. */
export async function runAction(deps: LedgerDeps, input: GatewayAction): Promise<ActionResult> {
  const { caller } = input;
  switch (input.action) {
    case 'admit': {
      const policy = await resolvePolicy(deps, caller.sub, caller.groups);
      const result = await reserve(deps, {
        userId: caller.sub,
        requestId: input.turn.requestId,
        modelId: input.turn.modelId,
        inputTokensEstimate: estimateInputTokens([input.turn.prompt]),
        maxOutputTokens: input.turn.maxTokens,
        policy,
      });
      if (!result.ok) {
        const code = result.error.code;
        if (code === 'BudgetExceeded' || code === 'RateLimited' || code === 'ModelNotAllowed') {
          recordDenial({ requestId: input.turn.requestId, userId: caller.sub, modelId: input.turn.modelId, group: policy.group }, code);
        }
        return failure(code, result.error.message, result.error);
      }
      return {
        result: {
          requestId: result.reservation.requestId,
          maxTokens: result.reservation.maxOutputTokens,
          reservedUsd: result.reservation.reservedUsd,
          policyGroup: policy.group,
        },
      };
    }
    case 'myUsage': {
      const policy = await resolvePolicy(deps, caller.sub, caller.groups);
      return { result: await getUserUsage(deps, { userId: caller.sub, policy }) };
    }
    case 'models': {
      const policy = await resolvePolicy(deps, caller.sub, caller.groups);
      return { result: { allowedModels: policy.allowedModels, maxOutputTokens: policy.maxOutputTokens } };
    }
    case 'usageReport':
      return { result: await usageReport(deps, { from: input.from, to: input.to, groupBy: input.groupBy }) };
    case 'topUsers':
      return { result: await topUsers(deps, { from: input.from, to: input.to, limit: input.limit }) };
    case 'auditLog':
      return { result: await listAudit(deps, { from: input.from, to: input.to, limit: input.limit }) };
    case 'setBudgetOverride':
    case 'clearBudgetOverride': {
      const actor = { userId: caller.sub, username: caller.username };
      const outcome =
        input.action === 'setBudgetOverride'
          ? await setBudgetOverride(deps, { actor, userId: input.userId, limits: input.limits })
          : await clearBudgetOverride(deps, { actor, userId: input.userId });
      if (!outcome.ok) return failure(outcome.error.code, outcome.error.message, outcome.error);
      return { result: { before: outcome.before, after: outcome.after } };
    }
  }
}
