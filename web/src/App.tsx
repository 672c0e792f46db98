import { lazy, Suspense, useEffect, useState } from 'react';
import { AdminGuard } from './admin/AdminGuard.js';
import { SignInPage } from './auth/SignInPage.js';
import { currentSession, signOut, type Session } from './auth/session.js';
import { ChatPage } from './chat/ChatPage.js';
import { KeysPage } from './keys/KeysPage.js';
import type { AppConfig } from './config.js';
import { navigate, useRoute } from './router.js';
import { Link } from './ui/Link.js';

// The dashboard is for admins only: other users never download it.
const AdminPage = lazy(() => import('./admin/AdminPage.js').then((m) => ({ default: m.AdminPage })));
const UserDetailPage = lazy(() => import('./admin/UserDetailPage.js').then((m) => ({ default: m.UserDetailPage })));

/** The app: sign-in until there is a session, then the chat and (for admins) the dashboard. */
export function App({ config }: { config: AppConfig }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();

  useEffect(() => {
    void currentSession().then(setSession);
  }, []);

  if (session === undefined) return <p className="muted center">Loading…</p>;
  if (session === null) return <SignInPage isLocal={config.isLocal} demoUsers={config.demoUsers} onSignedIn={setSession} />;

  async function leave() {
    await signOut();
    setSession(null);
    navigate('/', { replace: true });
  }

  const onAdmin = route.name === 'admin' || route.name === 'adminUser';
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="app-header">
        <span className="brand">Sluice</span>
        <nav aria-label="Main">
          <Link href="/" aria-current={route.name === 'chat' ? 'page' : undefined}>
            Chat
          </Link>
          <Link href="/keys" aria-current={route.name === 'keys' ? 'page' : undefined}>
            API keys
          </Link>
          {session.isAdmin && (
            <Link href="/admin" aria-current={onAdmin ? 'page' : undefined}>
              Admin
            </Link>
          )}
        </nav>
        <span className="user" data-testid="signed-in-user">
          {session.email}
        </span>
        <button type="button" className="secondary" onClick={() => void leave()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {route.name === 'chat' && <ChatPage session={session} conversationId={route.conversationId} />}
          {route.name === 'keys' && <KeysPage />}
          {route.name === 'admin' && (
            <AdminGuard session={session}>
              <AdminPage />
            </AdminGuard>
          )}
          {route.name === 'adminUser' && (
            <AdminGuard session={session}>
              <UserDetailPage userId={route.userId} />
            </AdminGuard>
          )}
          {route.name === 'notFound' && (
            <section className="card">
              <h1>Page not found</h1>
              <p>
                There is nothing at <code>{route.path}</code>. <Link href="/">Go to the chat</Link>.
              </p>
            </section>
          )}
        </Suspense>
      </main>
    </>
  );
}
