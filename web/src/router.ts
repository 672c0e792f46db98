import { useEffect, useState } from 'react';

/** The app's routes, parsed from `location.pathname`. */
export type Route =
  | { name: 'chat'; conversationId?: string }
  | { name: 'admin' }
  | { name: 'keys' }
  | { name: 'adminUser'; userId: string }
  | { name: 'notFound'; path: string };

/**
 * Parses a path into a route.
 * @example parseRoute('/c/123') // { name: 'chat', conversationId: '123' }
 */
export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'chat' };
  if (parts[0] === 'c' && parts.length === 2) return { name: 'chat', conversationId: parts[1] };
  if (parts[0] === 'admin' && parts.length === 1) return { name: 'admin' };
  if (parts[0] === 'keys' && parts.length === 1) return { name: 'keys' };
  if (parts[0] === 'admin' && parts[1] === 'users' && parts.length === 3) return { name: 'adminUser', userId: parts[2] };
  return { name: 'notFound', path };
}

const NAVIGATE_EVENT = 'sluice:navigate';

/** Moves to `path` without reloading (the twin and CloudFront serve index.html for any path). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The current route; re-renders on navigate() and on back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return route;
}
