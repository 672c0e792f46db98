/**
 * The admin fields the gateway API Lambda serves: usage reports, top users, the audit
 * trail and per-user budget overrides. Users appear with their email from the user pool
 * (./user-directory.ts) beside their Cognito sub; a failed lookup leaves the email null.
 */
import {
  clearBudgetOverride,
  getOverrideRecord,
  listAuditPage,
  nowFrom,
  setBudgetOverride,
  topUsers,
  usageReport,
  type Actor,
  type OverrideRecord,
  type ReportGroupBy,
  type UsageTotals,
} from '../shared/ledger/index.js';
import { overrideApplies, type BudgetOverride } from '../shared/policy.js';
import { failure, type Action, type ActionDeps, type Caller } from './action-types.js';

/** `updatedBy` of an override stored before Sluice kept who set it. */
export const UNKNOWN_ADMIN = 'unknown';

function tokenFields(total: UsageTotals) {
  return {
    requests: total.requests,
    inputTokens: total.inputTokens,
    outputTokens: total.outputTokens,
    cacheReadTokens: total.cacheReadInputTokens,
    cacheWriteTokens: total.cacheWriteInputTokens,
    costUsd: total.costUsd,
    apiRequests: total.apiRequests,
    apiCostUsd: total.apiCostUsd,
  };
}

/** How an admin is named to other admins: email when known, else username, else sub. */
export function actorName(actor: Actor | undefined): string {
  if (!actor) return UNKNOWN_ADMIN;
  return actor.email ?? actor.username ?? actor.userId;
}

/** An override as the schema's BudgetOverride: who set it and when as stored, `active` at `now`. */
function overrideView(record: OverrideRecord | null | undefined, now: Date) {
  if (!record) return null;
  const o = record.override;
  return {
    userId: record.userId,
    dailyLimitUsd: o.dailyLimitUsd ?? null,
    monthlyLimitUsd: o.monthlyLimitUsd ?? null,
    maxOutputTokens: o.maxOutputTokens ?? null,
    requestsPerMinute: o.requestsPerMinute ?? null,
    allowedModels: o.allowedModels ?? null,
    expiresAt: o.expiresAt ?? null,
    reason: o.reason ?? null,
    updatedBy: actorName(record.updatedBy),
    // Only overrides stored before updatedAt was kept lack it; the epoch says "unknown".
    updatedAt: record.updatedAt ?? new Date(0).toISOString(),
    active: overrideApplies(o, now),
  };
}

/** The acting admin, with their email when the user pool has it. */
export async function actingAdmin({ users }: ActionDeps, caller: Caller): Promise<Actor> {
  const email = (await users.emailsOf([caller.sub])).get(caller.sub);
  return { userId: caller.sub, username: caller.username, ...(email ? { email } : {}) };
}

const range = (args: Record<string, unknown>, stash: Record<string, unknown> | undefined) =>
  (stash?.range as { from: string; to: string } | undefined) ?? { from: String(args.from), to: String(args.to) };

/** GraphQL leaves out or nulls an optional argument; either means "not given". */
const optionalString = (value: unknown) => (value === null || value === undefined ? undefined : String(value));

/** Admin fields by GraphQL field name. */
export const ADMIN_ACTIONS: Record<string, Action> = {
  async usageReport(deps, { args, stash }) {
    const { from, to } = range(args, stash);
    const groupBy = String(args.groupBy).toLowerCase() as ReportGroupBy;
    const userId = optionalString(args.userId);
    const report = await usageReport(deps.ledger, { from, to, groupBy, userId });
    const userIds = groupBy === 'user' ? report.rows.map((row) => row.key) : userId ? [userId] : [];
    const emails = await deps.users.emailsOf(userIds);
    const rows = report.rows.map((row) => {
      const rowUser = groupBy === 'user' ? row.key : (userId ?? null);
      return {
        key: row.key,
        userId: rowUser,
        email: rowUser ? (emails.get(rowUser) ?? null) : null,
        modelId: groupBy === 'model' ? row.key : null,
        day: groupBy === 'day' ? row.key : null,
        ...tokenFields(row),
      };
    });
    return { result: { from: report.from, to: report.to, groupBy: args.groupBy, userId: userId ?? null, rows, totalUsd: report.total.costUsd } };
  },

  async topUsers(deps, { args, stash }) {
    const { from, to } = range(args, stash);
    const rows = await topUsers(deps.ledger, { from, to, limit: Number(stash?.limit ?? args.limit ?? 10) });
    const emails = await deps.users.emailsOf(rows.map((row) => row.key));
    return { result: rows.map((row) => ({ userId: row.key, email: emails.get(row.key) ?? null, ...tokenFields(row) })) };
  },

  async auditLog(deps, { args, stash }) {
    const { entries, nextToken } = await listAuditPage(deps.ledger, {
      from: optionalString(args.from),
      to: optionalString(args.to),
      limit: Number(stash?.limit ?? args.limit ?? 50),
      nextToken: optionalString(args.nextToken),
    });
    // Entries written before admins' emails were kept are named by a lookup now.
    const subs = entries.flatMap((entry) => [entry.targetUserId, ...(entry.actor.email ? [] : [entry.actor.userId])]);
    const emails = await deps.users.emailsOf(subs);
    const items = entries.map((entry) => ({
      id: entry.id,
      at: entry.at,
      actor: actorName({ ...entry.actor, email: entry.actor.email ?? emails.get(entry.actor.userId) ?? undefined }),
      action: entry.action,
      target: entry.targetUserId,
      targetEmail: emails.get(entry.targetUserId) ?? null,
      details: JSON.stringify({ before: entry.before, after: entry.after }),
    }));
    return { result: { items, nextToken } };
  },

  async budgetOverride(deps, { args }) {
    const record = await getOverrideRecord(deps.ledger, String(args.userId));
    return { result: overrideView(record, nowFrom(deps.ledger)) };
  },

  async setBudgetOverride(deps, { caller, args }) {
    const userId = String(args.userId);
    const input = (args.input ?? {}) as Record<string, unknown>;
    // Every field the admin sent goes to the ledger (reason and expiresAt too), which
    // validates and stores all of them or refuses the whole override.
    const given = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined)) as BudgetOverride;
    const outcome = await setBudgetOverride(deps.ledger, { actor: await actingAdmin(deps, caller), userId, limits: given });
    if (!outcome.ok) return failure(outcome.error);
    return { result: overrideView(outcome.current, nowFrom(deps.ledger)) };
  },

  async clearBudgetOverride(deps, { caller, args }) {
    const userId = String(args.userId);
    const outcome = await clearBudgetOverride(deps.ledger, { actor: await actingAdmin(deps, caller), userId });
    if (!outcome.ok) return failure(outcome.error);
    return { result: overrideView(outcome.previous, nowFrom(deps.ledger)) };
  },
};
