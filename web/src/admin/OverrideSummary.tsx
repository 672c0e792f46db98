import type { BudgetOverride } from '../api/operations.js';
import { formatTokens, formatUsd } from '../format.js';

/** The user's stored override as a definition list: limits, reason, expiry, who set it and when, active or not. */
export function OverrideSummary({ override }: { override: BudgetOverride | null }) {
  if (!override) {
    return (
      <p className="muted" data-testid="current-override" data-state="none">
        No override: the user's groups decide their limits.
      </p>
    );
  }
  const state = override.active ? 'active' : 'expired';
  return (
    <div data-testid="current-override" data-state={state}>
      <h3>
        Current override <span className={`badge ${state}`}>{override.active ? 'Active' : 'Expired: not applied'}</span>
      </h3>
      <dl className="override">
        <dt>Daily limit</dt>
        <dd>{override.dailyLimitUsd != null ? formatUsd(override.dailyLimitUsd) : 'group default'}</dd>
        <dt>Monthly limit</dt>
        <dd>{override.monthlyLimitUsd != null ? formatUsd(override.monthlyLimitUsd) : 'group default'}</dd>
        <dt>Max output tokens</dt>
        <dd>{override.maxOutputTokens != null ? formatTokens(override.maxOutputTokens) : 'group default'}</dd>
        <dt>Requests per minute</dt>
        <dd>{override.requestsPerMinute != null ? formatTokens(override.requestsPerMinute) : 'group default'}</dd>
        <dt>Allowed models</dt>
        <dd>{override.allowedModels?.length ? override.allowedModels.join(', ') : 'group default'}</dd>
        <dt>Reason</dt>
        <dd data-testid="override-reason">{override.reason || '—'}</dd>
        <dt>Expires</dt>
        <dd>{override.expiresAt ? <time dateTime={override.expiresAt}>{new Date(override.expiresAt).toLocaleString()}</time> : 'never'}</dd>
        <dt>Set by</dt>
        <dd data-testid="override-updated-by">
          {override.updatedBy}, <time dateTime={override.updatedAt}>{new Date(override.updatedAt).toLocaleString()}</time>
        </dd>
      </dl>
    </div>
  );
}
