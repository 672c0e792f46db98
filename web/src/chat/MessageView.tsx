import { describeError } from '../api/errors.js';
import { formatTokens, formatUsd } from '../format.js';
import { Markdown } from './Markdown.js';
import { StreamStatus } from './stream-assembler.js';
import type { ChatMessage } from './useChat.js';
import { useSmoothReveal } from './useSmoothReveal.js';

const STATUS_LABEL: Record<StreamStatus, string> = {
  [StreamStatus.WAITING]: 'Waiting for the model…',
  [StreamStatus.STREAMING]: 'Writing…',
  [StreamStatus.COMPLETE]: '',
  [StreamStatus.CANCELLED]: 'Stopped',
  [StreamStatus.FAILED]: 'Failed',
  [StreamStatus.INCOMPLETE]: 'Incomplete',
};

/** One message: the user's prompt, or the assistant's answer with its cost and state. */
export function MessageView({ message }: { message: ChatMessage }) {
  return message.role === 'user' ? <UserMessage text={message.text} /> : <AssistantMessage message={message} />;
}

function UserMessage({ text }: { text: string }) {
  return (
    <article className="message user" data-testid="user-message" aria-label="You said">
      <p>{text}</p>
    </article>
  );
}

function AssistantMessage({ message }: { message: ChatMessage }) {
  const shownText = useSmoothReveal(message.text, message.status === StreamStatus.STREAMING);
  const label = STATUS_LABEL[message.status];
  return (
    <article
      className={`message assistant ${message.status}`}
      data-testid="assistant-message"
      data-status={message.status}
      data-request-id={message.requestId}
      data-cost-usd={message.costUsd}
      aria-label="Assistant answered"
      aria-busy={message.status === StreamStatus.WAITING || message.status === StreamStatus.STREAMING}
    >
      <div className="answer" data-testid="answer-text">
        <Markdown text={shownText} />
        {(message.status === StreamStatus.STREAMING || message.status === StreamStatus.WAITING) && <span className="cursor" aria-hidden="true" />}
      </div>
      {message.error && (
        <p role="alert" className="error" data-error-code={message.error.code}>
          <strong>{message.error.code}:</strong> {describeError(message.error.code, message.error.message)}
        </p>
      )}
      <footer className="muted small">
        {label && <span className={`status-badge ${message.status}`}>{label}</span>}
        {message.recovering && <span> · Reconnecting and recovering the answer…</span>}
        {message.recovered && <span data-testid="stream-failed"> · The live stream failed; this answer was loaded from the conversation</span>}
        {message.modelId && <span> · {message.modelId}</span>}
        {message.usage && (
          <span>
            {' '}
            · {formatTokens(message.usage.inputTokens)} in / {formatTokens(message.usage.outputTokens)} out
          </span>
        )}
        {message.costUsd !== undefined && <span data-testid="turn-cost"> · {formatUsd(message.costUsd)}</span>}
      </footer>
    </article>
  );
}
