import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../functions/shared/clock.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { InputError } from '../../functions/shared/input-error.js';
import {
  clearBudgetOverride,
  getBudgetOverride,
  getOverrideRecord,
  getUserTotals,
  getUserUsage,
  listAudit,
  listAuditPage,
  type AuditEntry,
  reserve,
  resolvePolicy,
  setBudgetOverride,
  settle,
  topUsers,
  usageReport,
} from '../../functions/shared/ledger/index.js';
import { ledgerTestDeps, type LedgerTestDeps } from './ledger-deps.js';

const admin = { userId: 'admin-sub', username: 'admin@example.com' };

describe('overrides, audit and reports', () => {
  const clock = manualClock('2025-05-20T10:00:00Z');
  let setup: LedgerTestDeps;
  beforeAll(async () => {
    setup = await ledgerTestDeps(clock);
  });
  afterAll(() => setup?.close());

  it('lets an override win over the group policy, up or down, until it is cleared', async () => {
    // Prepare: `users` allow $2 a day; a turn of 100k input tokens may cost $0.125 + output.
    const userId = 'u-override';
    const bigTurn = async (requestId: string) =>
      reserve(setup.deps, { userId, requestId, modelId: SIMULATOR_MODEL_ID, inputTokensEstimate: 100_000, maxOutputTokens: 1000, policy: await resolvePolicy(setup.deps, userId, ['users']) });

    // Act + Assess: lowered below the group's limit, the turn is refused.
    expect(await setBudgetOverride(setup.deps, { actor: admin, userId, limits: { dailyLimitUsd: 0.1 } })).toMatchObject({ ok: true, before: null, after: { dailyLimitUsd: 0.1 } });
    expect(await bigTurn('ov-1')).toMatchObject({ ok: false, error: { code: 'BudgetExceeded', limitUsd: 0.1 } });
    // Raised, with a model the group does not allow.
    await setBudgetOverride(setup.deps, { actor: admin, userId, limits: { dailyLimitUsd: 50, allowedModels: [SIMULATOR_MODEL_ID, 'amazon.nova-pro-v1:0'] } });
    const raised = await resolvePolicy(setup.deps, userId, ['users']);
    expect(raised).toMatchObject({ dailyLimitUsd: 50, monthlyLimitUsd: 20, overridden: true, allowedModels: [SIMULATOR_MODEL_ID, 'amazon.nova-pro-v1:0'] });
    expect(await bigTurn('ov-2')).toMatchObject({ ok: true });
    // Cleared: back to the group.
    expect(await clearBudgetOverride(setup.deps, { actor: admin, userId })).toMatchObject({ ok: true, after: null });
    expect(await getBudgetOverride(setup.deps, userId)).toBeUndefined();
    expect(await resolvePolicy(setup.deps, userId, ['users'])).toMatchObject({ dailyLimitUsd: 2, overridden: false });
  });

  it('audits who changed which override, when, from what to what — newest first', async () => {
    // Prepare
    const userId = 'u-audited';
    clock.set('2025-05-20T11:00:00Z');
    await setBudgetOverride(setup.deps, { actor: admin, userId, limits: { monthlyLimitUsd: 40 } });
    clock.set('2025-05-20T11:05:00Z');
    await clearBudgetOverride(setup.deps, { actor: admin, userId });
    // Act
    const entries = await listAudit(setup.deps, { targetUserId: userId });
    // Assess
    expect(entries).toEqual([
      expect.objectContaining({ action: 'ClearBudgetOverride', at: '2025-05-20T11:05:00.000Z', actor: admin, targetUserId: userId, before: { monthlyLimitUsd: 40 }, after: null }),
      expect.objectContaining({ action: 'SetBudgetOverride', at: '2025-05-20T11:00:00.000Z', actor: admin, targetUserId: userId, before: null, after: { monthlyLimitUsd: 40 } }),
    ]);
  });

  it('pages the audit trail newest first with a token, losing and repeating no entry', async () => {
    // Prepare: five changes for one user, a minute apart.
    const userId = 'u-paged';
    for (let minute = 0; minute < 5; minute++) {
      clock.set(`2025-05-20T12:0${minute}:00Z`);
      await setBudgetOverride(setup.deps, { actor: admin, userId, limits: { dailyLimitUsd: minute + 1 } });
    }
    // Act
    const pages: AuditEntry[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await listAuditPage(setup.deps, { targetUserId: userId, limit: 2, nextToken });
      pages.push(page.entries);
      nextToken = page.nextToken ?? undefined;
    } while (nextToken);
    // Assess
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((entry) => entry.after?.dailyLimitUsd)).toEqual([5, 4, 3, 2, 1]);
    await expect(listAuditPage(setup.deps, { limit: 2, nextToken: 'not-a-token' })).rejects.toThrow(RangeError);
  });

  it('refuses an invalid override with every problem and changes nothing', async () => {
    // Act
    const result = await setBudgetOverride(setup.deps, { actor: admin, userId: 'u-invalid', limits: { dailyLimitUsd: -3, requestsPerMinute: 1.5, allowedModels: ['acme.nope'] } });
    // Assess
    expect(result).toMatchObject({ ok: false, error: { code: 'ValidationError' } });
    if (!result.ok && result.error.code === 'ValidationError') expect(result.error.problems).toHaveLength(3);
    expect(await getBudgetOverride(setup.deps, 'u-invalid')).toBeUndefined();
    expect(await listAudit(setup.deps, { targetUserId: 'u-invalid' })).toEqual([]);
  });

  it('stores, returns and audits an override\'s reason and expiry, with who set it and when', async () => {
    // Prepare
    const userId = 'u-reasoned';
    clock.set('2025-05-21T09:00:00Z');
    const limits = { dailyLimitUsd: 7, expiresAt: '2025-05-28T09:00:00+02:00', reason: 'launch week' };
    // Act
    const result = await setBudgetOverride(setup.deps, { actor: { ...admin, email: 'admin@example.com' }, userId, limits });
    const record = await getOverrideRecord(setup.deps, userId);
    const [entry] = await listAudit(setup.deps, { targetUserId: userId });
    // Assess: the expiry is stored normalised to UTC.
    const stored = { dailyLimitUsd: 7, expiresAt: '2025-05-28T07:00:00.000Z', reason: 'launch week' };
    expect(result).toMatchObject({ ok: true, after: stored, current: { userId, override: stored, updatedAt: '2025-05-21T09:00:00.000Z' } });
    expect(record).toEqual({ userId, override: stored, updatedBy: { ...admin, email: 'admin@example.com' }, updatedAt: '2025-05-21T09:00:00.000Z' });
    expect(entry).toMatchObject({ action: 'SetBudgetOverride', actor: { ...admin, email: 'admin@example.com' }, before: null, after: stored });
  });

  it('stops applying an override once it expires: policy, myUsage and admission go back to the groups', async () => {
    // Prepare: $0.10 a day until 12:00, while `users` allow $2.
    const userId = 'u-expiring';
    clock.set('2025-05-22T10:00:00Z');
    await setBudgetOverride(setup.deps, { actor: admin, userId, limits: { dailyLimitUsd: 0.1, allowedModels: [SIMULATOR_MODEL_ID], expiresAt: '2025-05-22T12:00:00Z' } });
    const bigTurn = async (requestId: string) =>
      reserve(setup.deps, { userId, requestId, modelId: SIMULATOR_MODEL_ID, inputTokensEstimate: 100_000, maxOutputTokens: 1000, policy: await resolvePolicy(setup.deps, userId, ['users']) });
    // Act + Assess: before the expiry the override holds, to the last millisecond.
    clock.set('2025-05-22T11:59:59.999Z');
    expect(await resolvePolicy(setup.deps, userId, ['users'])).toMatchObject({ dailyLimitUsd: 0.1, overridden: true, allowedModels: [SIMULATOR_MODEL_ID] });
    expect(await bigTurn('exp-1')).toMatchObject({ ok: false, error: { code: 'BudgetExceeded', limitUsd: 0.1 } });
    // At the expiry and after, the groups decide again; the stored override stays for the record.
    clock.set('2025-05-22T12:00:00Z');
    const policy = await resolvePolicy(setup.deps, userId, ['users']);
    expect(policy).toMatchObject({ dailyLimitUsd: 2, overridden: false });
    expect(policy.allowedModels.length).toBeGreaterThan(1);
    expect((await getUserUsage(setup.deps, { userId, policy })).day.limitUsd).toBe(2);
    expect(await bigTurn('exp-2')).toMatchObject({ ok: true });
    expect(await getBudgetOverride(setup.deps, userId)).toMatchObject({ dailyLimitUsd: 0.1, expiresAt: '2025-05-22T12:00:00.000Z' });
  });

  it('refuses an expiry that is not in the future and a reason over 500 characters, and changes nothing', async () => {
    // Prepare
    clock.set('2025-05-23T10:00:00Z');
    // Act
    const result = await setBudgetOverride(setup.deps, {
      actor: admin,
      userId: 'u-bad-terms',
      limits: { dailyLimitUsd: 1, expiresAt: '2025-05-23T10:00:00Z', reason: 'x'.repeat(501) },
    });
    const unparsable = await setBudgetOverride(setup.deps, { actor: admin, userId: 'u-bad-terms', limits: { dailyLimitUsd: 1, expiresAt: 'next tuesday' } });
    const reasonOnly = await setBudgetOverride(setup.deps, { actor: admin, userId: 'u-bad-terms', limits: { reason: 'just because' } });
    // Assess
    expect(result).toMatchObject({ ok: false, error: { code: 'ValidationError' } });
    if (!result.ok && result.error.code === 'ValidationError') {
      expect(result.error.problems).toEqual([expect.stringMatching(/^expiresAt must be in the future/), 'reason must be at most 500 characters, got 501']);
    }
    expect(unparsable).toMatchObject({ ok: false, error: { code: 'ValidationError', message: expect.stringContaining('expiresAt must be an ISO 8601') } });
    expect(reasonOnly).toMatchObject({ ok: false, error: { code: 'ValidationError', message: expect.stringContaining('at least one field') } });
    expect(await getBudgetOverride(setup.deps, 'u-bad-terms')).toBeUndefined();
    expect(await listAudit(setup.deps, { targetUserId: 'u-bad-terms' })).toEqual([]);
  });

  it('reports usage by user, model and day, ranks top users, and keeps each user to their own totals', async () => {
    // Prepare: three users, two models, two days.
    const turns = [
      { userId: 'r-ann', model: SIMULATOR_MODEL_ID, day: '2025-05-01', input: 1000, output: 100 }, // 1500 µ$
      { userId: 'r-ann', model: 'amazon.nova-lite-v1:0', day: '2025-05-02', input: 10_000, output: 1000 }, // 600 + 240
      { userId: 'r-bob', model: SIMULATOR_MODEL_ID, day: '2025-05-02', input: 2000, output: 400 }, // 4000
      { userId: 'r-cy', model: SIMULATOR_MODEL_ID, day: '2025-05-02', input: 10, output: 2 }, // 20
    ];
    for (const [i, t] of turns.entries()) {
      clock.set(`${t.day}T12:00:00Z`);
      const policy = await resolvePolicy(setup.deps, t.userId, ['users']);
      const admitted = await reserve(setup.deps, { userId: t.userId, requestId: `report-${i}`, modelId: t.model, inputTokensEstimate: t.input, maxOutputTokens: 1000, policy });
      if (!admitted.ok) throw new Error(admitted.error.message);
      await settle(setup.deps, { userId: t.userId, requestId: `report-${i}`, usage: { inputTokens: t.input, outputTokens: t.output }, outcome: 'completed' });
    }
    // Act
    const byUser = await usageReport(setup.deps, { from: '2025-05-01', to: '2025-05-02', groupBy: 'user' });
    const byModel = await usageReport(setup.deps, { from: '2025-05-01', to: '2025-05-02', groupBy: 'model' });
    const byDay = await usageReport(setup.deps, { from: '2025-05-01', to: '2025-05-02', groupBy: 'day' });
    const top = await topUsers(setup.deps, { from: '2025-05-01', to: '2025-05-31', limit: 2 });
    const annByModel = await usageReport(setup.deps, { from: '2025-05-01', to: '2025-05-02', groupBy: 'model', userId: 'r-ann' });
    const annByDay = await usageReport(setup.deps, { from: '2025-05-01', to: '2025-05-02', groupBy: 'day', userId: 'r-ann' });
    const annByUser = await usageReport(setup.deps, { from: '2025-05-01', to: '2025-05-02', groupBy: 'user', userId: 'r-ann' });
    const ann = await getUserTotals(setup.deps, { userId: 'r-ann', from: '2025-05-01', to: '2025-05-31' });
    // Assess
    expect(byUser.rows.map((r) => [r.key, r.costMicros])).toEqual([['r-bob', 4000], ['r-ann', 2340], ['r-cy', 20]]);
    expect(byModel.rows.map((r) => [r.key, r.costMicros, r.requests])).toEqual([[SIMULATOR_MODEL_ID, 5520, 3], ['amazon.nova-lite-v1:0', 840, 1]]);
    expect(byDay.rows.map((r) => [r.key, r.costMicros])).toEqual([['2025-05-01', 1500], ['2025-05-02', 4860]]);
    expect(byUser.total).toMatchObject({ requests: 4, costMicros: 6360, costUsd: 0.00636 });
    expect(top.map((r) => r.key)).toEqual(['r-bob', 'r-ann']);
    expect(annByModel).toMatchObject({ userId: 'r-ann', total: { costMicros: 2340, requests: 2 } });
    expect(annByModel.rows.map((r) => [r.key, r.costMicros])).toEqual([[SIMULATOR_MODEL_ID, 1500], ['amazon.nova-lite-v1:0', 840]]);
    expect(annByDay.rows.map((r) => [r.key, r.costMicros])).toEqual([['2025-05-01', 1500], ['2025-05-02', 840]]);
    expect(annByUser.rows.map((r) => r.key)).toEqual(['r-ann']);
    expect(new Set(ann.rows.map((r) => r.userId))).toEqual(new Set(['r-ann']));
    expect(ann.total.costMicros).toBe(2340);
  });

  it('rejects malformed report ranges', async () => {
    await expect(usageReport(setup.deps, { from: '2025-02-30', to: '2025-03-01', groupBy: 'day' })).rejects.toThrow(RangeError);
    await expect(usageReport(setup.deps, { from: '2025-03-02', to: '2025-03-01', groupBy: 'day' })).rejects.toThrow(/after/);
    await expect(usageReport(setup.deps, { from: '2020-01-01', to: '2025-01-01', groupBy: 'user' })).rejects.toThrow(/at most 366 days/);
    await expect(usageReport(setup.deps, { from: '2020-01-01', to: '2025-01-01', groupBy: 'day', userId: 'r-ann' })).rejects.toThrow(/at most 366 days/);
    await expect(usageReport(setup.deps, { from: '2025-01-01', to: '2025-01-02', groupBy: 'day', userId: 'a b' })).rejects.toThrow(InputError);
  });
});
