import { useEffect, useState } from 'react';
import { graphql } from '../api/client.js';
import { toApiError } from '../api/errors.js';
import { CONVERSATIONS, type ConversationSummary } from '../api/operations.js';
import { formatWhen } from '../format.js';
import { Link } from '../ui/Link.js';

/** How many conversations the list shows. */
export const CONVERSATION_LIST_SIZE = 50;

/** The user's conversations, most recent first; refetched when `refreshKey` changes. */
export function ConversationList({ activeId, refreshKey }: { activeId?: string; refreshKey: number }) {
  const [items, setItems] = useState<ConversationSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    graphql(CONVERSATIONS, { limit: CONVERSATION_LIST_SIZE })
      .then(({ conversations }) => current && (setItems(conversations.items), setError(null)))
      .catch((err: unknown) => current && setError(toApiError(err).advice));
    return () => {
      current = false;
    };
  }, [refreshKey]);

  return (
    <nav className="conversation-list" aria-labelledby="conversations-title">
      <h2 id="conversations-title">Conversations</h2>
      <Link href="/" className="button secondary new-chat">
        New chat
      </Link>
      {error && <p className="error">{error}</p>}
      {items.length === 0 && !error && <p className="muted">No conversations yet.</p>}
      <ul>
        {items.map((c) => (
          <li key={c.id}>
            <Link href={`/c/${encodeURIComponent(c.id)}`} aria-current={c.id === activeId ? 'page' : undefined}>
              <span className="title">{c.title || 'Untitled conversation'}</span>
              <span className="muted small">{formatWhen(c.updatedAt)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
