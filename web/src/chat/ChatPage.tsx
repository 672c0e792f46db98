import { useCallback, useEffect, useRef, useState } from 'react';
import { graphql } from '../api/client.js';
import { toApiError } from '../api/errors.js';
import { MODELS, type Model } from '../api/operations.js';
import type { Session } from '../auth/session.js';
import { navigate } from '../router.js';
import { Composer } from './Composer.js';
import { ConversationList } from './ConversationList.js';
import { MessageView } from './MessageView.js';
import { UsageMeter } from './UsageMeter.js';
import { ModelPicker } from './ModelPicker.js';
import { useChat } from './useChat.js';

const MODEL_STORAGE_KEY = 'sluice.model';

/** The chat: conversations, the messages of one, the model picker, the usage meter. */
export function ChatPage({ session, conversationId }: { session: Session; conversationId?: string }) {
  const [models, setModels] = useState<Model[]>([]);
  const [modelsLoaded, setModelsLoaded] = useState(false);
  const [modelId, setModelId] = useState(() => localStorage.getItem(MODEL_STORAGE_KEY) ?? '');
  const [modelsError, setModelsError] = useState<string | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const endRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    graphql(MODELS)
      .then(({ models: list }) => {
        setModels(list);
        setModelsLoaded(true);
        setModelId((current) => (list.some((m) => m.id === current) ? current : (list[0]?.id ?? '')));
      })
      .catch((err: unknown) => setModelsError(toApiError(err).advice));
  }, []);

  const chooseModel = (id: string) => {
    setModelId(id);
    localStorage.setItem(MODEL_STORAGE_KEY, id);
  };

  const onConversationStarted = useCallback((id: string) => navigate(`/c/${encodeURIComponent(id)}`), []);
  const onTurnFinished = useCallback(() => {
    setRefreshKey((k) => k + 1);
    setAnnouncement('The answer is complete.');
  }, []);
  const onTurnAdmitted = useCallback(() => setRefreshKey((k) => k + 1), []);
  const chat = useChat({ sub: session.sub, conversationId, onConversationStarted, onTurnAdmitted, onTurnFinished });

  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [chat.messages]);

  return (
    <div className="chat-layout">
      <aside className="sidebar">
        <ConversationList activeId={conversationId} refreshKey={refreshKey} />
      </aside>
      <section className="chat-main" aria-labelledby="chat-title">
        <header className="chat-header">
          <h1 id="chat-title">Chat</h1>
          <ModelPicker models={models} value={modelId} onChange={chooseModel} disabled={chat.streaming} />
          <UsageMeter refreshKey={refreshKey} />
        </header>
        {modelsError && (
          <p role="alert" className="error">
            {modelsError}
          </p>
        )}
        {!modelsError && !modelsLoaded && <p className="muted">Loading models…</p>}
        {modelsLoaded && models.length === 0 && (
          <p role="alert" className="error" data-testid="no-models">
            Your groups allow no model, so you cannot chat yet. Ask an admin to add you to a group that may use one (for example <code>users</code>).
          </p>
        )}
        <div className="messages" role="log" aria-label="Conversation" aria-live="off">
          {chat.loading && <p className="muted">Loading the conversation…</p>}
          {chat.loadError && (
            <p role="alert" className="error">
              {chat.loadError}
            </p>
          )}
          {!chat.loading && chat.messages.length === 0 && !chat.loadError && <p className="muted empty">Pick a model and send a message.</p>}
          {chat.messages.map((m) => (
            <MessageView key={m.key} message={m} />
          ))}
          <div ref={endRef} />
        </div>
        <p className="visually-hidden" aria-live="polite">
          {chat.streaming ? 'The assistant is answering.' : announcement}
        </p>
        <Composer streaming={chat.streaming} stopping={chat.stopping} disabled={!modelId} onSend={(prompt) => chat.send(prompt, modelId)} onStop={() => void chat.stop()} />
      </section>
    </div>
  );
}
