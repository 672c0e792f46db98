import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../../../schema/stream-protocol.js';
import { StreamAssembler } from '../../../../web/src/chat/stream-assembler.js';

const REQUEST_ID = 'req-1';

function start(requestId = REQUEST_ID): StreamEvent {
  return { type: 'start', requestId, conversationId: 'c1', model: 'sluice.simulator', seq: 0 };
}
function delta(seq: number, text: string, requestId = REQUEST_ID): StreamEvent {
  return { type: 'delta', requestId, seq, text };
}
function end(seq: number, stopReason: 'end_turn' | 'cancelled' = 'end_turn'): StreamEvent {
  return { type: 'end', requestId: REQUEST_ID, seq, stopReason, usage: { inputTokens: 3, outputTokens: 4 }, costUsd: 0.00002, latency: { firstTokenMs: 5, totalMs: 9 } };
}

describe('StreamAssembler', () => {
  it('joins deltas in seq order when they arrive out of order', () => {
    // Prepare
    const turn = new StreamAssembler(REQUEST_ID);

    // Act
    for (const event of [start(), delta(2, 'b'), delta(1, 'a'), end(4), delta(3, 'c')]) turn.accept(event);

    // Assess
    expect(turn.snapshot).toMatchObject({ text: 'abc', status: 'complete', hasGap: false });
    expect(turn.isFinished).toBe(true);
  });

  it('drops a duplicate seq that a retried publish repeats', () => {
    // Prepare
    const turn = new StreamAssembler(REQUEST_ID);

    // Act
    for (const event of [start(), delta(1, 'a'), delta(1, 'a'), delta(2, 'b'), delta(2, 'b')]) turn.accept(event);

    // Assess
    expect(turn.snapshot.text).toBe('ab');
  });

  it('reports a gap and does not finish until the missing seq arrives', () => {
    // Prepare
    const turn = new StreamAssembler(REQUEST_ID);

    // Act
    for (const event of [start(), delta(1, 'a'), delta(3, 'c'), end(4)]) turn.accept(event);

    // Assess
    expect(turn.snapshot).toMatchObject({ text: 'a', status: 'streaming', hasGap: true });
    expect(turn.isFinished).toBe(false);
    turn.accept(delta(2, 'b'));
    expect(turn.snapshot).toMatchObject({ text: 'abc', status: 'complete', hasGap: false });
  });

  it('holds events that beat the startChat response and keeps only its own turn after bind', () => {
    // Prepare
    const turn = new StreamAssembler();

    // Act
    for (const event of [start('older-turn'), delta(1, 'stale', 'older-turn'), start(), delta(1, 'fresh')]) turn.accept(event);
    const before = turn.snapshot;
    turn.bind(REQUEST_ID);

    // Assess
    expect(before).toMatchObject({ text: '', status: 'waiting' });
    expect(turn.snapshot).toMatchObject({ text: 'fresh', status: 'streaming', requestId: REQUEST_ID, model: 'sluice.simulator' });
  });

  it.each([
    ['a cancelled end', end(2, 'cancelled'), 'cancelled'],
    ['an error event', { type: 'error', requestId: REQUEST_ID, seq: 2, code: 'Throttled', message: 'slow down', retryable: true } as StreamEvent, 'failed'],
  ])('keeps the text streamed before %s', (_name, last, status) => {
    // Prepare
    const turn = new StreamAssembler(REQUEST_ID);

    // Act
    for (const event of [start(), delta(1, 'partial'), last]) turn.accept(event);

    // Assess
    expect(turn.snapshot).toMatchObject({ text: 'partial', status });
  });

  it.each([null, 'text', { type: 'delta', requestId: REQUEST_ID, seq: -1, text: 'x' }, { type: 'delta', requestId: REQUEST_ID, seq: 1 }, { type: 'other', requestId: REQUEST_ID, seq: 1 }])(
    'ignores a payload that is not a stream event: %j',
    (payload) => {
      // Prepare
      const turn = new StreamAssembler(REQUEST_ID);
      turn.accept(start());

      // Act
      const changed = turn.accept(payload);

      // Assess
      expect(changed).toBe(false);
      expect(turn.snapshot.text).toBe('');
    },
  );
});
