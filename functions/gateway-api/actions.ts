/**
 * The GraphQL fields the gateway API Lambda serves, by field name: admission and the
 * ledger's reads and writes, shaped as schema/schema.graphql declares them.
 */
import {
  clearBudgetOverride,
  getBudgetOverride,
  getUserTotals,
  getUserUsage,
  listAudit,
  resolvePolicy,
  setBudgetOverride,
  topUsers,
  usageReport,
  type LedgerDeps,
  type ReportGroupBy,
  type UsageTotals,
} from '../shared/ledger/index.js';
import { recordDenial } from '../shared/metrics.js';
import type { BudgetOverride } from '../shared/policy.js';
import { admitTurn, allowedModelViews } from './admission.js';
import type { MetricsSource } from './metrics-source.js';

/** Who is calling, as the resolver read it from `ctx.identity`. */
export interface Caller {
  sub: string;
  username: string;
  groups: string[];
}

export interface GatewayAction {
  action: string;
  caller: Caller;
  args: Record<string, unknown>;
  stash?: Record<string, unknown>;
}

/** A failure the resolver raises with `util.error(message, errorType, null, errorInfo)`. */
export interface ActionError {
  error: { errorType: string; message: string; errorInfo: Record<string, unknown> };
}

export type ActionResult = { result: unknown } | ActionError;

export interface ActionDeps {
  ledger: LedgerDeps;
  metrics: MetricsSource;
}

type Action = (deps: ActionDeps, input: GatewayAction) => Promise<ActionResult>;

function failure(details: { code: string; message: string }): ActionError {
  const { code, message, ...errorInfo } = details as { code: string; message: string } & Record<string, unknown>;
  return { error: { errorType: code, message, errorInfo } };
}

const today = (now: Date) => now.toISOString().slice(0, 10);

function tokenFields(total: UsageTotals) {
  return {
    requests: total.requests,
    inputTokens: total.inputTokens,
    outputTokens: total.outputTokens,
    cacheReadTokens: total.cacheReadInputTokens,
    cacheWriteTokens: total.cacheWriteInputTokens,
    costUsd: total.costUsd,
  };
}

/** An override as the schema's BudgetOverride, with who set it. */
function overrideView(userId: string, override: (BudgetOverride & { updatedBy?: string; updatedAt?: string }) | null | undefined) {
  if (!override) return null;
  return { userId, ...override, updatedBy: override.updatedBy ?? 'unknown', updatedAt: override.updatedAt ?? new Date(0).toISOString() };
}

const ACTIONS: Record<string, Action> = {
  async admit({ ledger }, { caller, args }) {
    const requestId = String(args.requestId);
    const modelId = String(args.modelId);
    const outcome = await admitTurn(ledger, { userId: caller.sub, groups: caller.groups, requestId, modelId, prompt: String(args.prompt), maxTokens: Number(args.maxTokens) });
    if (!outcome.ok) {
      const code = outcome.error.code;
      if (code === 'BudgetExceeded' || code === 'RateLimited' || code === 'ModelNotAllowed') {
        recordDenial({ requestId, userId: caller.sub, modelId, group: outcome.policy.group }, code);
      }
      return failure(outcome.error);
    }
    return { result: { maxTokens: outcome.maxTokens, policyGroup: outcome.policy.group } };
  },

  async models({ ledger }, { caller }) {
    return { result: allowedModelViews(await resolvePolicy(ledger, caller.sub, caller.groups)) };
  },

  async myUsage({ ledger }, { caller }) {
    const now = new Date();
    const policy = await resolvePolicy(ledger, caller.sub, caller.groups);
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

  async usageReport({ ledger }, { args, stash }) {
    const range = (stash?.range as { from: string; to: string } | undefined) ?? { from: String(args.from), to: String(args.to) };
    const groupBy = String(args.groupBy).toLowerCase() as ReportGroupBy;
    const report = await usageReport(ledger, { from: range.from, to: range.to, groupBy });
    const rows = report.rows.map((row) => ({
      key: row.key,
      userId: groupBy === 'user' ? row.key : null,
      email: null,
      modelId: groupBy === 'model' ? row.key : null,
      day: groupBy === 'day' ? row.key : null,
      ...tokenFields(row),
    }));
    return { result: { from: report.from, to: report.to, groupBy: args.groupBy, rows, totalUsd: report.total.costUsd } };
  },

  async topUsers({ ledger }, { args, stash }) {
    const range = (stash?.range as { from: string; to: string } | undefined) ?? { from: String(args.from), to: String(args.to) };
    const limit = Number(args.limit ?? 10);
    const rows = await topUsers(ledger, { from: range.from, to: range.to, limit });
    return { result: rows.map((row) => ({ userId: row.key, email: null, ...tokenFields(row) })) };
  },

  async auditLog({ ledger }, { args, stash }) {
    const entries = await listAudit(ledger, {
      from: (args.from as string | undefined) ?? undefined,
      to: (args.to as string | undefined) ?? undefined,
      limit: Number(stash?.limit ?? args.limit ?? 50),
    });
    const items = entries.map((entry) => ({
      id: entry.id,
      at: entry.at,
      actor: entry.actor.username ?? entry.actor.userId,
      action: entry.action,
      target: entry.targetUserId,
      details: JSON.stringify({ before: entry.before, after: entry.after }),
    }));
    return { result: { items, nextToken: null } };
  },

  async setBudgetOverride({ ledger }, { caller, args }) {
    const userId = String(args.userId);
    const { expiresAt: _expiresAt, reason: _reason, ...limits } = (args.input ?? {}) as BudgetOverride & { expiresAt?: string; reason?: string };
    const definedLimits = Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== null && value !== undefined)) as BudgetOverride;
    const outcome = await setBudgetOverride(ledger, { actor: { userId: caller.sub, username: caller.username }, userId, limits: definedLimits });
    if (!outcome.ok) return failure(outcome.error);
    return { result: overrideView(userId, { ...outcome.after, updatedBy: caller.username, updatedAt: new Date().toISOString() }) };
  },

  async clearBudgetOverride({ ledger }, { caller, args }) {
    const userId = String(args.userId);
    const existing = await getBudgetOverride(ledger, userId);
    const outcome = await clearBudgetOverride(ledger, { actor: { userId: caller.sub, username: caller.username }, userId });
    if (!outcome.ok) return failure(outcome.error);
    return { result: existing ? overrideView(userId, { ...existing, updatedBy: caller.username, updatedAt: new Date().toISOString() }) : null };
  },

  async liveMetrics({ metrics }, { args, stash }) {
    const windowMinutes = Number(stash?.windowMinutes ?? args.windowMinutes ?? 60);
    return { result: { at: new Date().toISOString(), windowMinutes, series: await metrics.series(windowMinutes) } };
  },
};

export function isKnownAction(action: string): boolean {
  return Object.hasOwn(ACTIONS, action);
}

/** Runs one action. */
export function runAction(deps: ActionDeps, input: GatewayAction): Promise<ActionResult> {
  return ACTIONS[input.action](deps, input);
}
