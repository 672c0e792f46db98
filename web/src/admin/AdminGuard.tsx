import type { ReactNode } from 'react';
import type { Session } from '../auth/session.js';
import { Link } from '../ui/Link.js';

/**
 * Shows its children to admins only. This is for the person's benefit; the API denies
 * the admin fields to everyone else anyway.
 */
export function AdminGuard({ session, children }: { session: Session; children: ReactNode }) {
  if (session.isAdmin) return <>{children}</>;
  return (
    <section className="card" data-testid="admin-denied">
      <h1>Admins only</h1>
      <p role="alert">
        The cost dashboard is for members of the <code>admins</code> group. <Link href="/">Back to the chat</Link>.
      </p>
    </section>
  );
}
