import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../../../../web/src/api/operations.js';
import { usageCsv } from '../../../../web/src/admin/csv.js';

function row(overrides: Partial<UsageRow> = {}): UsageRow {
  return {
    key: 'u1', userId: 'u1', email: 'alice@example.com', modelId: null, day: null,
    requests: 2, inputTokens: 10, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.000125, apiRequests: 0, apiCostUsd: 0,
    ...overrides,
  };
}

describe('usageCsv', () => {
  it('writes a header and one line per row with exact dollar figures', () => {
    // Act
    const csv = usageCsv([row()]);

    // Assess
    expect(csv).toBe(
      'key,userId,email,modelId,day,requests,inputTokens,outputTokens,cacheReadTokens,cacheWriteTokens,costUsd\r\n' +
        'u1,u1,alice@example.com,,,2,10,20,0,0,0.000125\r\n',
    );
  });

  it('quotes commas and quotes, and defuses cells a spreadsheet would run as formulas', () => {
    // Act
    const line = usageCsv([row({ key: 'a,"b"', email: '=HYPERLINK("x")' })]).split('\r\n')[1];

    // Assess
    expect(line.startsWith('"a,""b""",u1,"\'=HYPERLINK(""x"")",')).toBe(true);
  });
});
