import { useState, type FormEvent, type KeyboardEvent } from 'react';

export interface ComposerProps {
  streaming: boolean;
  /** Stop was pressed; the turn ends at its next flush. */
  stopping?: boolean;
  disabled?: boolean;
  onSend(prompt: string): void;
  onStop(): void;
}

/** The prompt box: Enter sends, Shift+Enter adds a line; Stop while an answer streams. */
export function Composer({ streaming, stopping, disabled, onSend, onStop }: ComposerProps) {
  const [prompt, setPrompt] = useState('');

  function submit(event?: FormEvent) {
    event?.preventDefault();
    const text = prompt.trim();
    if (!text || streaming || disabled) return;
    onSend(text);
    setPrompt('');
  }

  function keyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="prompt" className="visually-hidden">
        Message
      </label>
      <textarea
        id="prompt"
        rows={3}
        placeholder="Ask anything. Enter sends, Shift+Enter adds a line."
        value={prompt}
        onChange={(e) => setPrompt(e.target.value)}
        onKeyDown={keyDown}
        disabled={disabled}
      />
      {streaming ? (
        <button type="button" className="danger" onClick={onStop} disabled={stopping}>
          {stopping ? 'Stopping…' : 'Stop'}
        </button>
      ) : (
        <button type="submit" disabled={disabled || prompt.trim() === ''}>
          Send
        </button>
      )}
    </form>
  );
}
