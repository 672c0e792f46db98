import { useCallback, useEffect, useRef, useState } from 'react';
import { toApiError } from '../api/errors.js';
import type { Message } from '../api/operations.js';
import { loadConversation } from './recover.js';
import { StreamStatus } from './stream-assembler.js';
import { startTurn, type TurnHandle, type TurnView } from './turn-runner.js';

/** One message as the chat view shows it. */
export interface ChatMessage {
  key: string;
  role: 'user' | 'assistant';
  text: string;
  status: StreamStatus;
  requestId?: string;
  modelId?: string;
  stopReason?: string;
  usage?: { inputTokens: number; outputTokens: number };
  costUsd?: number;
  error?: { code: string; message: string };
  recovered?: boolean;
  recovering?: boolean;
}

export interface UseChatOptions {
  sub: string;
  /** The conversation in the address bar; undefined for a new one. */
  conversationId?: string;
  /** Called when a new conversation gets its id (to put it in the address bar). */
  onConversationStarted(conversationId: string): void;
  /** Called once startChat admitted the turn (the conversation exists and budget is reserved). */
  onTurnAdmitted?(): void;
  /** Called at each turn's end (the usage meter and the list refresh then). */
  onTurnFinished(view: TurnView): void;
}

/** The state and actions of the chat view: history, the streaming turn, send and stop. */
export function useChat({ sub, conversationId, onConversationStarted, onTurnAdmitted, onTurnFinished }: UseChatOptions) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [streaming, setStreaming] = useState(false);
  const [stopping, setStopping] = useState(false);
  const shownId = useRef<string | undefined>(undefined);
  const startedHere = useRef<string | undefined>(undefined);
  const turn = useRef<TurnHandle | undefined>(undefined);

  useEffect(() => {
    // A conversation this view just started is already on screen: do not reload it mid-stream.
    if (conversationId !== undefined && conversationId === startedHere.current) return;
    startedHere.current = undefined;
    shownId.current = conversationId;
    setMessages([]);
    setLoadError(null);
    if (!conversationId) return;
    let current = true;
    setLoading(true);
    loadConversation(conversationId)
      .then((conversation) => {
        if (!current) return;
        if (!conversation) setLoadError('This conversation does not exist, or it is not yours.');
        else setMessages(conversation.messages.items.map(fromStored));
      })
      .catch((error: unknown) => current && setLoadError(toApiError(error).advice))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [conversationId]);

  const send = useCallback(
    (prompt: string, modelId: string) => {
      const id = shownId.current ?? crypto.randomUUID();
      const isNew = shownId.current === undefined;
      shownId.current = id;
      if (isNew) startedHere.current = id;
      const assistantKey = `pending-${Date.now()}`;
      setMessages((list) => [
        ...list,
        { key: `user-${Date.now()}`, role: 'user', text: prompt, status: StreamStatus.COMPLETE },
        { key: assistantKey, role: 'assistant', text: '', status: StreamStatus.WAITING, modelId },
      ]);
      setStreaming(true);
      if (isNew) onConversationStarted(id);
      let admitted = false;
      const update = (view: TurnView) => {
        if (view.requestId && !admitted) {
          admitted = true;
          onTurnAdmitted?.();
        }
        if (shownId.current !== id) return;
        setMessages((list) => list.map((m) => (m.key === assistantKey ? { ...m, ...fromView(view) } : m)));
      };
      const handle = startTurn({ sub, conversationId: id, newConversation: isNew, modelId, prompt, onUpdate: update });
      turn.current = handle;
      void handle.done.then((view) => {
        if (turn.current === handle) {
          turn.current = undefined;
          setStreaming(false);
          setStopping(false);
        }
        onTurnFinished(view);
      });
    },
    [sub, onConversationStarted, onTurnAdmitted, onTurnFinished],
  );

  const stop = useCallback(async () => {
    if (!turn.current) return;
    setStopping(true);
    await turn.current.stop();
  }, []);

  return { messages, loading, loadError, streaming, stopping, send, stop };
}

function fromView(view: TurnView): Partial<ChatMessage> {
  return {
    text: view.text,
    status: view.status,
    requestId: view.requestId,
    stopReason: view.end?.stopReason,
    usage: view.end?.usage,
    costUsd: view.end?.costUsd,
    error: view.error,
    recovered: view.recovered,
    recovering: view.recovering,
  };
}

function fromStored(message: Message): ChatMessage {
  const cancelled = message.stopReason === 'cancelled';
  let status: StreamStatus = StreamStatus.COMPLETE;
  if (message.status === 'STREAMING') status = StreamStatus.STREAMING;
  else if (cancelled) status = StreamStatus.CANCELLED;
  else if (message.status === 'INCOMPLETE') status = StreamStatus.INCOMPLETE;
  return {
    key: message.id,
    role: message.role === 'USER' ? 'user' : 'assistant',
    text: message.text,
    status,
    requestId: message.requestId ?? undefined,
    modelId: message.modelId ?? undefined,
    stopReason: message.stopReason ?? undefined,
    usage: message.usage ?? undefined,
    costUsd: message.costUsd ?? undefined,
  };
}
