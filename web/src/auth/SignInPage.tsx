import { useState, type FormEvent } from 'react';
import type { DemoUser } from '../config.js';
import { signIn, type Session } from './session.js';

export interface SignInPageProps {
  isLocal: boolean;
  demoUsers: DemoUser[];
  onSignedIn(session: Session): void;
}

/** Email and password sign-in; on the twin, one-click demo accounts too. */
export function SignInPage({ isLocal, demoUsers, onSignedIn }: SignInPageProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function attempt(user: string, secret: string) {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(user, secret, isLocal));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void attempt(email, password);
  }

  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to Sluice</h1>
      <form onSubmit={submit} className="card">
        <label htmlFor="email">Email</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      {isLocal && demoUsers.length > 0 && (
        <section className="card demo-users" aria-labelledby="demo-users-title">
          <h2 id="demo-users-title">Local twin demo users</h2>
          <p className="muted">These accounts exist only on the local twin; the passwords are public demo values.</p>
          <ul>
            {demoUsers.map((user) => (
              <li key={user.email}>
                <button type="button" className="secondary" disabled={busy} onClick={() => void attempt(user.email, user.password)}>
                  Sign in as {user.email}
                </button>
                <span className="muted">
                  {' '}
                  {user.groups.join(', ')} · password <code>{user.password}</code>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
