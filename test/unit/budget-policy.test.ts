import { describe, expect, it } from 'vitest';
import { GROUP_POLICIES } from '../../functions/shared/config.js';
import { SIMULATOR_MODEL_ID } from '../../schema/models.js';
import { effectivePolicy, isModelAllowed, NO_GROUP, overrideApplies, overrideProblems } from '../../functions/shared/policy.js';

describe('effective policy', () => {
  it('combines several groups to the most generous limits and the union of models', () => {
    // Act
    const policy = effectivePolicy(['users', 'power-users']);
    // Assess
    expect(policy).toMatchObject({
      dailyLimitUsd: GROUP_POLICIES['power-users'].dailyLimitUsd,
      monthlyLimitUsd: GROUP_POLICIES['power-users'].monthlyLimitUsd,
      maxOutputTokens: GROUP_POLICIES['power-users'].maxOutputTokens,
      requestsPerMinute: GROUP_POLICIES['power-users'].requestsPerMinute,
      group: 'power-users',
      overridden: false,
    });
    for (const id of GROUP_POLICIES.users.allowedModels) expect(policy.allowedModels).toContain(id);
  });

  it('names the highest-ranked group whatever order Cognito lists them in', () => {
    expect(effectivePolicy(['users', 'admins']).group).toBe('admins');
    expect(effectivePolicy(['admins', 'users']).group).toBe('admins');
  });

  it('gives a user in no configured group nothing (deny by default)', () => {
    // Act
    const policy = effectivePolicy(['marketing']);
    // Assess
    expect(policy).toMatchObject({ allowedModels: [], dailyLimitUsd: 0, monthlyLimitUsd: 0, requestsPerMinute: 0, group: NO_GROUP, groups: [] });
    expect(isModelAllowed(policy, SIMULATOR_MODEL_ID)).toBe(false);
  });

  it('lets an override win field by field over every group, up or down', () => {
    // Act
    const lowered = effectivePolicy(['admins'], { dailyLimitUsd: 0.5 });
    const raised = effectivePolicy(['users'], { monthlyLimitUsd: 500, allowedModels: ['amazon.nova-pro-v1:0'] });
    // Assess
    expect(lowered).toMatchObject({ dailyLimitUsd: 0.5, monthlyLimitUsd: GROUP_POLICIES.admins.monthlyLimitUsd, overridden: true });
    expect(raised).toMatchObject({ monthlyLimitUsd: 500, dailyLimitUsd: GROUP_POLICIES.users.dailyLimitUsd, allowedModels: ['amazon.nova-pro-v1:0'] });
  });

  it('admits a listed model through its inference profiles', () => {
    const policy = effectivePolicy(['users']);
    expect(isModelAllowed(policy, 'us.amazon.nova-lite-v1:0')).toBe(true);
    expect(isModelAllowed(policy, 'anthropic.claude-opus-4-1-20250805-v1:0')).toBe(false);
  });

  it.each([
    [{ dailyLimitUsd: -1 }, /dailyLimitUsd/],
    [{ monthlyLimitUsd: Number.POSITIVE_INFINITY }, /monthlyLimitUsd/],
    [{ requestsPerMinute: 2.5 }, /requestsPerMinute/],
    [{ maxOutputTokens: -10 }, /maxOutputTokens/],
    [{ allowedModels: ['acme.nope'] }, /unknown model/],
    [{}, /at least one field/],
  ])('finds the problem in override %j', (override, problem) => {
    expect(overrideProblems(override).join('; ')).toMatch(problem);
  });

  it('ignores an override from its expiresAt on, and applies one without an expiry forever', () => {
    // Prepare
    const override = { dailyLimitUsd: 0.5, expiresAt: '2025-06-01T00:00:00.000Z' };
    // Act
    const before = effectivePolicy(['users'], override, new Date('2025-05-31T23:59:59.999Z'));
    const at = effectivePolicy(['users'], override, new Date('2025-06-01T00:00:00.000Z'));
    const open = effectivePolicy(['users'], { dailyLimitUsd: 0.5 }, new Date('2999-01-01T00:00:00Z'));
    // Assess
    expect(before).toMatchObject({ dailyLimitUsd: 0.5, overridden: true });
    expect(at).toMatchObject({ dailyLimitUsd: GROUP_POLICIES.users.dailyLimitUsd, overridden: false });
    expect(open).toMatchObject({ dailyLimitUsd: 0.5, overridden: true });
    expect(overrideApplies(override, new Date('2025-06-01T00:00:00.000Z'))).toBe(false);
  });

  it.each([
    [{ dailyLimitUsd: 1, expiresAt: '2025-01-01T00:00:00Z' }, /expiresAt must be in the future/],
    [{ dailyLimitUsd: 1, expiresAt: 'soon' }, /expiresAt must be an ISO 8601/],
    [{ dailyLimitUsd: 1, reason: 'x'.repeat(501) }, /reason must be at most 500 characters/],
    [{ reason: 'no limits at all' }, /at least one field/],
  ])('finds the problem in the terms of override %j', (override, problem) => {
    expect(overrideProblems(override, new Date('2025-03-01T00:00:00Z')).join('; ')).toMatch(problem);
  });

  it('accepts a reason of 500 characters and an expiry in the future', () => {
    expect(overrideProblems({ dailyLimitUsd: 1, reason: 'x'.repeat(500), expiresAt: '2025-03-01T00:00:00.001Z' }, new Date('2025-03-01T00:00:00Z'))).toEqual([]);
  });

  it('accepts a valid override', () => {
    expect(overrideProblems({ dailyLimitUsd: 0, allowedModels: [SIMULATOR_MODEL_ID] })).toEqual([]);
  });
});
