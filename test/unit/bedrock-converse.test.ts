import { describe, expect, it } from 'vitest';
import { converse, streamConverse, type FrameSink, type Pacing } from '../../infra/local/bedrock/converse.js';
import { decodeFrame } from '../../infra/local/bedrock/eventstream.js';
import { simulate } from '../../infra/local/bedrock/simulator.js';
import { countTokens } from '../../infra/local/bedrock/tokenizer.js';

const MODEL_ID = 'test.paced';
const MODELS = { [MODEL_ID]: { timeToFirstTokenMs: 300, tokensPerSecond: 80 } };

function simulation(text: string) {
  return simulate({ modelId: MODEL_ID, messages: [{ role: 'user', content: [{ text }] }] }, { models: MODELS });
}

/** A clock that only moves when the code under test sleeps. */
function fakePacing(speed = 1): Pacing & { now: () => number } {
  let now = 0;
  return {
    speed,
    now: () => now,
    clock: () => now,
    sleep: async (ms, signal) => {
      if (signal.aborted) throw signal.reason;
      now += ms;
    },
  };
}

function recordingSink(pacing: { now: () => number }) {
  const frames: { at: number; type: string; body: Record<string, unknown> }[] = [];
  let ended = false;
  const record = (frame: Uint8Array) => {
    const { headers, body } = decodeFrame(frame);
    frames.push({ at: pacing.now(), type: headers[':event-type'] ?? headers[':exception-type'], body: body as Record<string, unknown> });
  };
  const sink: FrameSink = {
    write: async (frame) => record(frame),
    end: (frame) => {
      if (frame) record(frame);
      ended = true;
    },
  };
  return { sink, frames, ended: () => ended };
}

describe('streamConverse', () => {
  it('sends the first delta after the time to first token and the rest at the model speed', async () => {
    // Prepare
    const pacing = fakePacing();
    const { sink, frames } = recordingSink(pacing);
    const answer = simulation('Pace me [[sim:tokens=40]]');

    // Act
    await streamConverse(answer, pacing, sink, new AbortController().signal, 0);

    // Assess
    const deltas = frames.filter((f) => f.type === 'contentBlockDelta');
    expect(frames[0]).toMatchObject({ at: 300, type: 'messageStart', body: { role: 'assistant' } });
    expect(deltas[0].at).toBe(300);
    let sent = 0;
    for (const delta of deltas) {
      expect(delta.at).toBeCloseTo(300 + (1000 * sent) / 80, 6);
      sent += countTokens((delta.body.delta as { text: string }).text);
    }
    expect(frames.slice(-3).map((f) => f.type)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    expect(frames.at(-1)?.body).toMatchObject({ usage: answer.usage, metrics: { latencyMs: Math.round(deltas.at(-1)!.at) } });
  });

  it('divides every delay by the speed factor', async () => {
    // Prepare
    const pacing = fakePacing(10);
    const { sink, frames } = recordingSink(pacing);

    // Act
    await streamConverse(simulation('Fast [[sim:tokens=40]]'), pacing, sink, new AbortController().signal, 0);

    // Assess
    expect(frames.find((f) => f.type === 'contentBlockDelta')?.at).toBe(30);
  });

  it('never sleeps at infinite speed', async () => {
    // Prepare
    const pacing = fakePacing(Infinity);
    const { sink, frames } = recordingSink(pacing);

    // Act
    await streamConverse(simulation('Instant [[sim:tokens=40]]'), pacing, sink, new AbortController().signal, 0);

    // Assess
    expect(frames.every((f) => f.at === 0)).toBe(true);
  });

  it('ends with the exception event right after the tokens before the fault', async () => {
    // Prepare
    const pacing = fakePacing();
    const { sink, frames, ended } = recordingSink(pacing);
    const answer = simulation('Break [[sim:tokens=40]] [[sim:throttle@12]]');

    // Act
    await streamConverse(answer, pacing, sink, new AbortController().signal, 0);

    // Assess
    const text = frames.filter((f) => f.type === 'contentBlockDelta').map((f) => (f.body.delta as { text: string }).text);
    expect(countTokens(text.join(''))).toBe(12);
    expect(frames.at(-1)).toMatchObject({ type: 'throttlingException', body: { message: expect.any(String) } });
    expect(ended()).toBe(true);
  });

  it('sends no text block for an empty answer', async () => {
    // Prepare
    const pacing = fakePacing();
    const { sink, frames } = recordingSink(pacing);

    // Act
    await streamConverse(simulation('Nothing [[sim:tokens=0]]'), pacing, sink, new AbortController().signal, 0);

    // Assess
    expect(frames.map((f) => f.type)).toEqual(['messageStart', 'messageStop', 'metadata']);
  });

  it('stops quietly, sending nothing more, when the client goes away', async () => {
    // Prepare
    const pacing = fakePacing();
    const { sink, frames, ended } = recordingSink(pacing);
    const abort = new AbortController();
    const writes: FrameSink = {
      write: async (frame) => {
        await sink.write(frame);
        if (frames.length === 3) abort.abort(new Error('gone'));
      },
      end: sink.end,
    };

    // Act
    const run = streamConverse(simulation('Abort [[sim:tokens=40]]'), pacing, writes, abort.signal, 0);

    // Assess
    await expect(run).resolves.toBeUndefined();
    expect(frames).toHaveLength(3);
    expect(ended()).toBe(false);
  });
});

describe('converse', () => {
  it('answers with the stream text and usage after the whole generation time', async () => {
    // Prepare
    const pacing = fakePacing();
    const answer = simulation('Whole [[sim:tokens=40]]');

    // Act
    const body = await converse(answer, pacing, new AbortController().signal, 0);

    // Assess
    expect(body).toEqual({
      output: { message: { role: 'assistant', content: [{ text: answer.text }] } },
      stopReason: 'end_turn',
      usage: answer.usage,
      metrics: { latencyMs: 300 + 500 },
    });
  });
});
