import { useState, type FormEvent } from 'react';
import { graphql } from '../api/client.js';
import { toApiError } from '../api/errors.js';
import { CLEAR_BUDGET_OVERRIDE, SET_BUDGET_OVERRIDE } from '../api/operations.js';
import type { BudgetOverride, BudgetOverrideInput } from '../api/types.js';
import { formatUsd } from '../format.js';

/** Sets or clears one user's budget override (daily/monthly USD, output tokens, requests per minute). */
export function BudgetForm({ userId }: { userId: string }) {
  const [daily, setDaily] = useState('');
  const [monthly, setMonthly] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [rpm, setRpm] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [override, setOverride] = useState<BudgetOverride | null>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    const input: BudgetOverrideInput = {
      dailyLimitUsd: numberOrNull(daily),
      monthlyLimitUsd: numberOrNull(monthly),
      maxOutputTokens: intOrNull(maxTokens),
      requestsPerMinute: intOrNull(rpm),
      reason: reason.trim() || null,
    };
    await run(async () => {
      const { setBudgetOverride } = await graphql<{ setBudgetOverride: BudgetOverride }>(SET_BUDGET_OVERRIDE, { userId, input });
      setOverride(setBudgetOverride);
      return 'Override saved. It applies to the next request.';
    });
  }

  async function clear() {
    await run(async () => {
      const { clearBudgetOverride } = await graphql<{ clearBudgetOverride: BudgetOverride | null }>(CLEAR_BUDGET_OVERRIDE, { userId });
      setOverride(null);
      return clearBudgetOverride ? 'Override cleared: the group limits apply again.' : 'This user had no override.';
    });
  }

  async function run(action: () => Promise<string>) {
    setBusy(true);
    setStatus(null);
    try {
      setStatus({ kind: 'ok', text: await action() });
    } catch (err) {
      setStatus({ kind: 'error', text: toApiError(err).advice });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="budget-title">
      <h2 id="budget-title">Budget override</h2>
      <p className="muted">Leave a field empty to keep the group's limit for it.</p>
      <form onSubmit={(e) => void save(e)} className="budget-form">
        <label htmlFor="daily-limit">Daily limit (USD)</label>
        <input id="daily-limit" type="number" min="0" step="0.01" inputMode="decimal" value={daily} onChange={(e) => setDaily(e.target.value)} />
        <label htmlFor="monthly-limit">Monthly limit (USD)</label>
        <input id="monthly-limit" type="number" min="0" step="0.01" inputMode="decimal" value={monthly} onChange={(e) => setMonthly(e.target.value)} />
        <label htmlFor="max-tokens">Max output tokens</label>
        <input id="max-tokens" type="number" min="1" step="1" inputMode="numeric" value={maxTokens} onChange={(e) => setMaxTokens(e.target.value)} />
        <label htmlFor="rpm">Requests per minute</label>
        <input id="rpm" type="number" min="1" step="1" inputMode="numeric" value={rpm} onChange={(e) => setRpm(e.target.value)} />
        <label htmlFor="reason">Reason</label>
        <input id="reason" type="text" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Save override
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => void clear()}>
            Clear override
          </button>
        </div>
      </form>
      {status && (
        <p role={status.kind === 'error' ? 'alert' : 'status'} className={status.kind === 'error' ? 'error' : 'ok'}>
          {status.text}
        </p>
      )}
      {override && (
        <dl className="override" data-testid="current-override">
          <dt>Daily limit</dt>
          <dd>{override.dailyLimitUsd != null ? formatUsd(override.dailyLimitUsd) : 'group default'}</dd>
          <dt>Monthly limit</dt>
          <dd>{override.monthlyLimitUsd != null ? formatUsd(override.monthlyLimitUsd) : 'group default'}</dd>
          <dt>Updated</dt>
          <dd>
            {new Date(override.updatedAt).toLocaleString()} by {override.updatedBy}
          </dd>
        </dl>
      )}
    </section>
  );
}

function numberOrNull(value: string): number | null {
  const n = Number.parseFloat(value);
  return value.trim() === '' || !Number.isFinite(n) ? null : n;
}

function intOrNull(value: string): number | null {
  const n = Number.parseInt(value, 10);
  return value.trim() === '' || !Number.isFinite(n) ? null : n;
}
