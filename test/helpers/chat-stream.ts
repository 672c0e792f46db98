import { events } from 'aws-amplify/data';
import type { StreamEvent } from '../../schema/stream-protocol.js';

/** A turn's events as a client sees them: deduplicated by seq, in order. */
export interface CollectedTurn {
  events: StreamEvent[];
  text: string;
  final: StreamEvent | undefined;
}

/**
 * Subscribes (through aws-amplify's events client) to a conversation channel and
 * collects one turn's stream until its `end` or `error`.
 */
export async function subscribeToTurn(channel: string) {
  const connection = await events.connect(channel);
  const received: StreamEvent[] = [];
  let notify: () => void = () => undefined;
  const subscription = connection.subscribe({
    // Amplify hands over the whole `data` message; the stream event is its `event`.
    next: (message: { event: unknown }) => {
      received.push(message.event as StreamEvent);
      notify();
    },
    error: () => undefined,
  });
  await subscription.ready;
  const collected = (): CollectedTurn => {
    const bySeq = new Map<number, StreamEvent>();
    for (const event of received) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
    const ordered = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const text = ordered.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    return { events: ordered, text, final: ordered.find((e) => e.type === 'end' || e.type === 'error') };
  };
  return {
    received,
    /** Resolves when `predicate` holds for what arrived, or rejects after `timeoutMs`. */
    async until(predicate: (turn: CollectedTurn) => boolean, timeoutMs = 20_000): Promise<CollectedTurn> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const turn = collected();
        if (predicate(turn)) return turn;
        if (Date.now() > deadline) throw new Error(`stream did not reach the expected state; got ${JSON.stringify(turn.events).slice(0, 500)}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 200);
        });
      }
    },
    finished: () => collected().final !== undefined,
    close: () => connection.close(),
  };
}
