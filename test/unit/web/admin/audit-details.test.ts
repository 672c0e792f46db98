import { describe, expect, it } from 'vitest';
import { auditChanges } from '../../../../web/src/admin/audit-details.js';

describe('auditChanges', () => {
  it('lists each field an override set, from the group default', () => {
    // Prepare
    const details = JSON.stringify({ before: null, after: { dailyLimitUsd: 5, allowedModels: ['a', 'b'], reason: 'demo week' } });

    // Act
    const lines = auditChanges(details);

    // Assess
    expect(lines).toEqual(['Daily limit: group default → $5.00', 'Allowed models: group default → a, b', 'Reason: none → demo week']);
  });

  it('shows only the fields that changed, and a clear as a return to the defaults', () => {
    // Prepare
    const before = { dailyLimitUsd: 5, requestsPerMinute: 10, expiresAt: '2030-01-02T03:04:05.000Z' };

    // Act
    const changed = auditChanges({ before, after: { ...before, dailyLimitUsd: 7.5 } });
    const cleared = auditChanges({ before, after: null });

    // Assess
    expect(changed).toEqual(['Daily limit: $5.00 → $7.50']);
    expect(cleared).toEqual(['Daily limit: $5.00 → group default', 'Requests per minute: 10 → group default', 'Expires: 2030-01-02 03:04:05 UTC → none']);
  });

  it('reads details it cannot parse as no change rather than failing', () => {
    // Act / Assess
    expect(auditChanges('{not json')).toEqual([]);
    expect(auditChanges(null)).toEqual([]);
    expect(auditChanges('"a string"')).toEqual([]);
  });
});
