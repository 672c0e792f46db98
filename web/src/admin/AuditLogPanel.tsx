import { graphql } from '../api/client.js';
import { AUDIT_LOG, type AuditEntry } from '../api/operations.js';
import { formatWhen } from '../format.js';
import { Link } from '../ui/Link.js';
import { auditChanges } from './audit-details.js';
import { useLoaded } from './useLoaded.js';

/** How many recent entries the panel asks for. */
export const AUDIT_PAGE_SIZE = 50;

const ACTION_LABEL: Record<string, string> = {
  SetBudgetOverride: 'Set budget override',
  ClearBudgetOverride: 'Cleared budget override',
};

export interface AuditLogPanelProps {
  /** Show only the entries about this user (Cognito sub). */
  userId?: string;
  /** Refetches when it changes (after the page changed something). */
  refreshKey?: number;
  title?: string;
}

/** Recent admin actions: when, who, what, about whom, and what changed (before → after). */
export function AuditLogPanel({ userId, refreshKey = 0, title = 'Audit log' }: AuditLogPanelProps) {
  const { data: entries, error } = useLoaded(async (): Promise<AuditEntry[]> => {
    const { auditLog } = await graphql(AUDIT_LOG, { limit: AUDIT_PAGE_SIZE });
    const items = auditLog?.items ?? [];
    // The API has no per-user filter; the page is small enough to filter here.
    return userId ? items.filter((e) => e.target === userId) : items;
  }, [userId, refreshKey]);

  return (
    <section className="card" aria-labelledby="audit-title" data-testid="audit-log">
      <h2 id="audit-title">{title}</h2>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p className="muted">No admin actions yet.</p>}
      {entries && entries.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label={`${title} (scrolls sideways)`}>
          <table className="data-table audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">User</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-entry" data-action={e.action} data-target={e.target ?? ''}>
                  <td>
                    <time dateTime={e.at}>{formatWhen(e.at)}</time>
                  </td>
                  <td>{e.actor}</td>
                  <td>{ACTION_LABEL[e.action] ?? e.action}</td>
                  <td>{e.target ? <Link href={`/admin/users/${encodeURIComponent(e.target)}`}>{e.targetEmail ?? e.target}</Link> : '—'}</td>
                  <td>
                    <ChangeList lines={auditChanges(e.details)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ChangeList({ lines }: { lines: string[] }) {
  if (lines.length === 0) return <span className="muted">no change</span>;
  return (
    <ul className="change-list">
      {lines.map((line) => (
        <li key={line}>{line}</li>
      ))}
    </ul>
  );
}
