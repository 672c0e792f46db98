import { describe, expect, it } from 'vitest';
import { PublishError } from '../../functions/shared/events-publisher.js';
import type { StreamEvent } from '../../schema/stream-protocol.js';
import { TurnStream } from '../../functions/shared/turn-stream.js';

/** A publisher that records each publish and can fail the first N attempts. */
function recordingPublisher(failFirst = 0, retryable = true) {
  const publishes: StreamEvent[][] = [];
  let attempts = 0;
  return {
    publishes,
    get attempts() {
      return attempts;
    },
    async publish(_channel: string, events: unknown[]) {
      attempts++;
      if (attempts <= failFirst) throw new PublishError('injected', 503, retryable);
      publishes.push(events as StreamEvent[]);
      return { successful: events.map((_, index) => ({ identifier: `id-${index}`, index })), failed: [] };
    },
  };
}

const noSleep = async () => undefined;

describe('TurnStream', () => {
  it('numbers events from 0 with no gaps and ends with the final event', async () => {
    // Prepare
    const publisher = recordingPublisher();
    const stream = new TurnStream({ publisher, channel: '/chat/u/c', requestId: 'r1', flushIntervalMs: 5, sleep: noSleep });
    // Act
    stream.start('c', 'm');
    for (const word of ['Hello ', 'there ', 'friend.']) stream.delta(word);
    await stream.end({ stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 3 }, costUsd: 0, latency: { firstTokenMs: 1, totalMs: 2 } });
    // Assess
    const events = publisher.publishes.flat();
    expect(events.map((e) => e.seq)).toEqual([...events.keys()]);
    expect(events[0].type).toBe('start');
    expect(events.at(-1)?.type).toBe('end');
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    expect(text).toBe('Hello there friend.');
    expect(stream.streamedText).toBe(text);
  });

  it('publishes start with the first delta at once and batches later ones', async () => {
    const publisher = recordingPublisher();
    const stream = new TurnStream({ publisher, channel: '/chat/u/c', requestId: 'r1', flushIntervalMs: 50, sleep: noSleep });
    stream.start('c', 'm');
    stream.delta('first ');
    for (let i = 0; i < 20; i++) stream.delta(`w${i} `);
    await stream.flush();
    expect(publisher.publishes[0]).toEqual([
      { type: 'start', requestId: 'r1', conversationId: 'c', model: 'm', seq: 0 },
      { type: 'delta', requestId: 'r1', seq: 1, text: 'first ' },
    ]);
    // 20 later deltas travel together rather than in 20 publishes.
    expect(publisher.publishes).toHaveLength(2);
  });

  it('sends the final event in the same publish as the last deltas', async () => {
    const publisher = recordingPublisher();
    const stream = new TurnStream({ publisher, channel: '/c', requestId: 'r', flushIntervalMs: 60_000, sleep: noSleep });
    stream.start('c', 'm');
    stream.delta('a');
    stream.delta('b');
    await stream.end({ stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 2 }, costUsd: 0, latency: { firstTokenMs: 1, totalMs: 1 } });
    expect(publisher.publishes.map((p) => p.map((e) => `${e.type}${e.seq}`))).toEqual([['start0', 'delta1'], ['delta2', 'end3']]);
  });

  it('publishes start with the error when the model fails before any token', async () => {
    const publisher = recordingPublisher();
    const stream = new TurnStream({ publisher, channel: '/c', requestId: 'r', sleep: noSleep });
    stream.start('c', 'm');
    await stream.error({ code: 'Throttled', message: 'busy', retryable: true });
    expect(publisher.publishes.map((p) => p.map((e) => `${e.type}${e.seq}`))).toEqual([['start0', 'error1']]);
  });

  it('flushes on the size threshold without waiting for the timer', async () => {
    const publisher = recordingPublisher();
    const stream = new TurnStream({ publisher, channel: '/c', requestId: 'r', flushIntervalMs: 60_000, flushThresholdChars: 10, sleep: noSleep });
    stream.delta('a');
    stream.delta('0123456789');
    await stream.flush();
    expect(publisher.publishes.map((p) => (p[0] as { text: string }).text)).toEqual(['a', '0123456789']);
  });

  it('retries a failed publish with the same sequence numbers, losing and duplicating none', async () => {
    const publisher = recordingPublisher(2);
    const stream = new TurnStream({ publisher, channel: '/c', requestId: 'r', flushIntervalMs: 5, sleep: noSleep });
    stream.start('c', 'm');
    stream.delta('x');
    await stream.end({ stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0, latency: { firstTokenMs: 1, totalMs: 1 } });
    // [start, delta] fails twice then goes through; [end] goes through at once.
    expect(publisher.attempts).toBe(4);
    expect(publisher.publishes.flat().map((e) => e.seq)).toEqual([0, 1, 2]);
    expect(stream.failure).toBeUndefined();
  });

  it('stops publishing after a publish fails for good, so no later event leaves a gap', async () => {
    const publisher = recordingPublisher(100, false);
    const stream = new TurnStream({ publisher, channel: '/c', requestId: 'r', sleep: noSleep });
    stream.start('c', 'm');
    stream.delta('x');
    await stream.flush();
    expect(publisher.attempts).toBe(1);
    expect(stream.failure?.status).toBe(503);
  });
});
