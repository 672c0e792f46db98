import { useEffect, useRef, useState } from 'react';

/**
 * How long a batch of streamed text takes to appear. The gateway publishes about once a
 * second to keep Events costs down (functions/shared/turn-stream.ts); revealing each
 * batch over a little less than that keeps the answer moving like a live stream.
 */
export const REVEAL_WINDOW_IN_MS = 800;

/**
 * The part of `text` to show: while `streaming`, it catches up with the text received so
 * far at a pace that drains the backlog in about {@link REVEAL_WINDOW_IN_MS}; otherwise
 * (finished, stopped, recovered) the whole text at once.
 */
export function useSmoothReveal(text: string, streaming: boolean): string {
  const [shown, setShown] = useState(streaming ? 0 : text.length);
  const shownRef = useRef(shown);
  shownRef.current = shown;

  useEffect(() => {
    if (!streaming) {
      setShown(text.length);
      return undefined;
    }
    let frame = 0;
    let last = performance.now();
    // Characters per millisecond that empty the current backlog within the window.
    const rate = Math.max(text.length - shownRef.current, 1) / REVEAL_WINDOW_IN_MS;
    const step = (now: number) => {
      const next = Math.min(text.length, shownRef.current + Math.max(1, Math.round((now - last) * rate)));
      last = now;
      setShown(next);
      if (next < text.length) frame = requestAnimationFrame(step);
    };
    frame = requestAnimationFrame(step);
    return () => cancelAnimationFrame(frame);
  }, [text, streaming]);

  return text.slice(0, Math.min(shown, text.length));
}
