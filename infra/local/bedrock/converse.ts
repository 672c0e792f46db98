import { BedrockTwinError } from './errors.js';
import { encodeEvent, encodeException, STREAM_EVENT } from './eventstream.js';
import { digest, intBetween, seededRandom } from './random.js';
import { countTokens } from './tokenizer.js';
import type { Simulation, SimulatedStopReason, SimulatedUsage } from './types.js';

/** Time as the twin sees it; tests inject fakes to check pacing without waiting. */
export interface Pacing {
  /** Milliseconds on a monotonic clock. @default performance.now */
  clock: () => number;
  /** Resolves after `ms`; rejects (or resolves early) once `signal` aborts. @default timers/promises setTimeout */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Divides every delay: 10 runs ten times faster, Infinity never waits. @default 1 */
  speed: number;
}

/** Where stream frames go; `write` resolves when the frame may be followed by another. */
export interface FrameSink {
  write(frame: Uint8Array): Promise<void>;
  end(frame?: Uint8Array): void;
}

/** The body of a Converse response. */
export interface ConverseResponseBody {
  output: { message: { role: 'assistant'; content: { text: string }[] } };
  stopReason: SimulatedStopReason;
  usage: SimulatedUsage;
  metrics: { latencyMs: number };
}

/**
 * Plays a simulation onto a ConverseStream: messageStart and the first delta after the
 * time to first token, the rest at the model's tokens per second, then contentBlockStop,
 * messageStop and metadata — or the simulated exception after `interruption.afterTokens`.
 * Returns quietly when `signal` aborts (the client went away).
 * @example
 * await streamConverse(simulation, pacing, sink, abortController.signal, pacing.clock());
 */
export async function streamConverse(simulation: Simulation, pacing: Pacing, sink: FrameSink, signal: AbortSignal, startedAt: number): Promise<void> {
  const random = seededRandom(digest('padding', simulation.promptKey));
  const frame = (type: Parameters<typeof encodeEvent>[0], payload: Record<string, unknown>) => encodeEvent(type, payload, intBetween(random, 1, 62));
  const { timeToFirstTokenMs, tokensPerSecond } = simulation.pace;
  try {
    await waitUntil(pacing, signal, startedAt, timeToFirstTokenMs);
    await sink.write(frame(STREAM_EVENT.MESSAGE_START, { role: 'assistant' }));
    let sent = 0;
    for (const text of simulation.chunks) {
      await waitUntil(pacing, signal, startedAt, timeToFirstTokenMs + (1000 * sent) / tokensPerSecond);
      await sink.write(frame(STREAM_EVENT.CONTENT_BLOCK_DELTA, { contentBlockIndex: 0, delta: { text } }));
      sent += countTokens(text);
    }
    const { interruption } = simulation;
    if (interruption) {
      sink.end(encodeException(new BedrockTwinError(interruption.error, interruption.message)));
      return;
    }
    if (simulation.chunks.length > 0) await sink.write(frame(STREAM_EVENT.CONTENT_BLOCK_STOP, { contentBlockIndex: 0 }));
    await sink.write(frame(STREAM_EVENT.MESSAGE_STOP, { stopReason: simulation.stopReason }));
    const latencyMs = Math.round(pacing.clock() - startedAt);
    sink.end(frame(STREAM_EVENT.METADATA, { usage: simulation.usage, metrics: { latencyMs } }));
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

/**
 * Waits as long as the whole stream would take, then returns the Converse body with the
 * same text, stop reason and usage.
 * @example
 * const body = await converse(simulation, pacing, signal, pacing.clock());
 */
export async function converse(simulation: Simulation, pacing: Pacing, signal: AbortSignal, startedAt: number): Promise<ConverseResponseBody> {
  const { timeToFirstTokenMs, tokensPerSecond } = simulation.pace;
  await waitUntil(pacing, signal, startedAt, timeToFirstTokenMs + (1000 * simulation.tokens.length) / tokensPerSecond);
  return {
    output: { message: { role: 'assistant', content: simulation.text ? [{ text: simulation.text }] : [] } },
    stopReason: simulation.stopReason,
    usage: simulation.usage,
    metrics: { latencyMs: Math.round(pacing.clock() - startedAt) },
  };
}

// Sleeping to an absolute schedule keeps timer lateness from adding up over a long answer.
async function waitUntil(pacing: Pacing, signal: AbortSignal, startedAt: number, offsetMs: number): Promise<void> {
  if (signal.aborted) throw signal.reason;
  const remaining = startedAt + offsetMs / pacing.speed - pacing.clock();
  if (remaining > 0 && Number.isFinite(remaining)) await pacing.sleep(remaining, signal);
  if (signal.aborted) throw signal.reason;
}
