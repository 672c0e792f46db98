import { useEffect, useState, type FormEvent } from 'react';
import { graphql } from '../api/client.js';
import { ErrorCode, toApiError } from '../api/errors.js';
import { BUDGET_OVERRIDE, CLEAR_BUDGET_OVERRIDE, SET_BUDGET_OVERRIDE, type BudgetOverride, type BudgetOverrideInput } from '../api/operations.js';
import { OverrideSummary } from './OverrideSummary.js';

/** The form's fields as typed (strings, as inputs give them). */
interface Fields {
  daily: string;
  monthly: string;
  maxTokens: string;
  rpm: string;
  models: string;
  expires: string;
  reason: string;
}

const EMPTY: Fields = { daily: '', monthly: '', maxTokens: '', rpm: '', models: '', expires: '', reason: '' };

type Status = { kind: 'ok' | 'error'; text: string } | null;

/**
 * One user's budget override: loads what is stored (`budgetOverride`), shows it, and sets
 * (with a reason and an optional expiry) or clears it. `onChanged` runs after a change.
 */
export function BudgetForm({ userId, onChanged }: { userId: string; onChanged?(): void }) {
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [override, setOverride] = useState<BudgetOverride | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Status>(null);

  useEffect(() => {
    let current = true;
    graphql(BUDGET_OVERRIDE, { userId })
      .then(({ budgetOverride }) => current && (setOverride(budgetOverride), setFields(fieldsOf(budgetOverride))))
      .catch((err: unknown) => current && setStatus({ kind: 'error', text: errorText(err) }));
    return () => {
      current = false;
    };
  }, [userId]);

  const field = (name: keyof Fields) => ({
    id: `override-${name}`,
    value: fields[name],
    onChange: (e: { target: { value: string } }) => setFields((f) => ({ ...f, [name]: e.target.value })),
  });

  async function save(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const { setBudgetOverride } = await graphql(SET_BUDGET_OVERRIDE, { userId, input: inputOf(fields) });
      setOverride(setBudgetOverride);
      return 'Override saved. It applies from the next request.';
    });
  }

  async function clear() {
    await run(async () => {
      const { clearBudgetOverride } = await graphql(CLEAR_BUDGET_OVERRIDE, { userId });
      setOverride(null);
      setFields(EMPTY);
      return clearBudgetOverride ? "Override cleared: the user's groups decide their limits again." : 'This user had no override.';
    });
  }

  async function run(action: () => Promise<string>) {
    setBusy(true);
    setStatus(null);
    try {
      setStatus({ kind: 'ok', text: await action() });
      onChanged?.();
    } catch (err) {
      setStatus({ kind: 'error', text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="budget-title">
      <h2 id="budget-title">Budget override</h2>
      {override !== undefined && <OverrideSummary override={override} />}
      <p className="muted" id="budget-help">
        Leave a limit empty to keep the group's limit for it. Times are in your local time zone.
      </p>
      <form onSubmit={(e) => void save(e)} className="budget-form" aria-describedby="budget-help">
        <label htmlFor="override-daily">Daily limit (USD)</label>
        <input type="number" min="0" step="any" inputMode="decimal" {...field('daily')} />
        <label htmlFor="override-monthly">Monthly limit (USD)</label>
        <input type="number" min="0" step="any" inputMode="decimal" {...field('monthly')} />
        <label htmlFor="override-maxTokens">Max output tokens</label>
        <input type="number" min="1" step="1" inputMode="numeric" {...field('maxTokens')} />
        <label htmlFor="override-rpm">Requests per minute</label>
        <input type="number" min="1" step="1" inputMode="numeric" {...field('rpm')} />
        <label htmlFor="override-models">Allowed models (ids, comma-separated)</label>
        <input type="text" autoComplete="off" {...field('models')} />
        <label htmlFor="override-expires">Expires (optional)</label>
        <input type="datetime-local" {...field('expires')} />
        <label htmlFor="override-reason">Reason</label>
        <input type="text" required maxLength={500} {...field('reason')} />
        <div className="actions">
          <button type="submit" disabled={busy}>
            Save override
          </button>
          <button type="button" className="secondary" disabled={busy || !override} onClick={() => void clear()}>
            Clear override
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {status && (
          <p role={status.kind === 'error' ? 'alert' : 'status'} className={status.kind === 'error' ? 'error' : 'ok'} data-testid="budget-status">
            {status.text}
          </p>
        )}
      </div>
    </section>
  );
}

/** ValidationError messages name the field at fault; the other codes read better as advice. */
function errorText(err: unknown): string {
  const error = toApiError(err);
  return error.code === ErrorCode.VALIDATION ? error.message : error.advice;
}

function inputOf(f: Fields): BudgetOverrideInput {
  const models = f.models.split(',').map((m) => m.trim()).filter(Boolean);
  const expires = f.expires ? new Date(f.expires) : null;
  return {
    dailyLimitUsd: numberOrNull(f.daily),
    monthlyLimitUsd: numberOrNull(f.monthly),
    maxOutputTokens: intOrNull(f.maxTokens),
    requestsPerMinute: intOrNull(f.rpm),
    allowedModels: models.length > 0 ? models : null,
    // An impossible date goes to the server as typed, so its error names the field.
    expiresAt: expires ? (Number.isNaN(expires.getTime()) ? f.expires : expires.toISOString()) : null,
    reason: f.reason.trim() || null,
  };
}

function fieldsOf(o: BudgetOverride | null): Fields {
  if (!o) return EMPTY;
  const text = (v: number | null | undefined) => (v == null ? '' : String(v));
  return {
    daily: text(o.dailyLimitUsd),
    monthly: text(o.monthlyLimitUsd),
    maxTokens: text(o.maxOutputTokens),
    rpm: text(o.requestsPerMinute),
    models: o.allowedModels?.join(', ') ?? '',
    expires: o.expiresAt ? localDateTime(new Date(o.expiresAt)) : '',
    reason: o.reason ?? '',
  };
}

/** `YYYY-MM-DDTHH:mm` in local time, as `<input type="datetime-local">` wants it. */
function localDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function numberOrNull(value: string): number | null {
  const n = Number(value);
  return value.trim() === '' || !Number.isFinite(n) ? null : n;
}

function intOrNull(value: string): number | null {
  const n = Number(value);
  return value.trim() === '' || !Number.isFinite(n) ? null : Math.trunc(n);
}
